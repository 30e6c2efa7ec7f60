"""The page's queries and CSV on a real database, without a web server."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from qbo_sync import outcomes
from qbo_sync.operations import controls, views
from support.rows import insert


def log(db, run_id, source_id, status, ref, amount="10.00", cause=None, fix=None):
    outcomes.record(
        db,
        outcomes.RunContext("qbo_sync", run_id, "sync"),
        outcomes.Outcome(
            tenant_id=1,
            entity="invoice",
            source_id=source_id,
            source_ref=ref,
            action="create",
            status=status,
            cause=cause,
            fix=fix,
            amount=Decimal(amount),
        ),
    )


@pytest.fixture
def logged(db):
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    insert(db, "qbo_sync.tenant_connections", tenant_id=1, realm_id="r1", status="reconnect_required")
    log(db, "r1", 1, "synced", "INV-1", "110.00")
    log(db, "r1", 2, "failed", "INV-2", cause="Tax rate 'Mystery levy' is not linked.", fix="Link it.")
    log(db, "r1", 3, "failed", '=HYPERLINK("x")', cause="Bad number", fix="Renumber it.")
    log(db, "r2", 1, "synced", "INV-1", "110.00")
    db.execute("UPDATE qbo_sync.sync_log SET logged_at = '2026-11-01T10:00:00Z' WHERE run_id = 'r1'")
    return db


def test_filters_by_status_entity_dates_and_text(logged):
    db = logged
    ids = lambda f: [r["source_id"] for r in views.records(db, 1, f)]  # noqa: E731
    assert ids(views.Filters()) == [2, 3, 1]  # failures first
    assert ids(views.Filters.parse(status="failed")) == [2, 3]
    assert ids(views.Filters.parse(q="mystery LEVY")) == [2]
    assert ids(views.Filters.parse(date_from="2026-11-01", date_to="2026-11-01")) == [2, 3]
    assert ids(views.Filters.parse(entity="customer")) == []
    controls.apply(
        db,
        action="exclude",
        tenant_id=1,
        entity="invoice",
        source_ids=[3],
        requested_by="alice",
        note="entered by hand",
    )
    assert ids(views.Filters.parse(status="excluded")) == [3]
    assert ids(views.Filters.parse(q="by hand")) == [3]  # the note is searchable too
    assert views.status_counts(db, 1) == {"excluded": 1, "failed": 1, "synced": 1}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "broken"}, "status must be one of"),
        ({"entity": "bill"}, "entity must be one of"),
        ({"date_from": "23/11/2026"}, "'from' date must look like 2026-11-23"),
    ],
)
def test_unreadable_filters_are_refused(kwargs, message):
    with pytest.raises(views.BadFilter, match=message):
        views.Filters.parse(**kwargs)


def test_the_filters_round_trip_through_the_query_string():
    f = views.Filters.parse(status="failed", date_to="2026-11-02", q=" levy ")
    assert f.query() == {"status": "failed", "date_to": "2026-11-02", "q": "levy"}
    assert f.params()["date_to"] == datetime(2026, 11, 3, tzinfo=UTC)  # the whole day
    assert f.date_to == date(2026, 11, 2)


def test_tenants_and_runs_show_connection_and_counts(logged):
    db = logged
    (tenant,) = views.tenants(db)
    assert (tenant["tenant_name"], tenant["status"]) == ("Harbour Physio", "reconnect_required")
    runs = views.last_runs(db, 1)
    assert [(r["run_id"], r["synced"], r["failed"], r["amount_synced"]) for r in runs] == [
        ("r2", 1, 0, Decimal("110.00")),
        ("r1", 1, 2, Decimal("110.00")),
    ]


def test_last_runs_split_new_failures_from_those_still_waiting_for_finance(logged):
    """Red means new (report/verdict.py): INV-2 failed in r1 and again in r3 for the same cause
    (waiting), INV-4 fails for the first time in r3 (new)."""
    db = logged
    log(db, "r3", 2, "failed", "INV-2", cause="Tax rate 'Mystery levy' is not linked.", fix="Link it.")
    log(db, "r3", 4, "failed", "INV-4", cause="Bad number", fix="Renumber it.")
    runs = {r["run_id"]: (r["failed"], r["new"], r["waiting"]) for r in views.last_runs(db, 1)}
    assert runs == {"r3": (2, 1, 1), "r2": (0, 0, 0), "r1": (2, 2, 0)}


def test_csv_keeps_exact_amounts_utc_times_and_defuses_formulas(logged):
    rows = list(csv.DictReader(io.StringIO(views.records_csv(logged, 1, views.Filters()))))
    by_id = {r["source_id"]: r for r in rows}
    assert by_id["1"]["amount"] == "110.00" and by_id["1"]["logged_at"].endswith("+00:00")
    assert by_id["2"]["cause"] == "Tax rate 'Mystery levy' is not linked." and by_id["2"]["fix"] == "Link it."
    assert by_id["3"]["source_ref"] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1+1",
        "-1+1",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "\tcmd|' /C calc'!A0",
        "\rcmd|' /C calc'!A0",
        "  =1+1",
        "\uff1d1+1",
        "\uff20SUM(A1)",
    ],
)
def test_csv_defuses_every_formula_start_owasp_lists(db, value):
    """OWASP CSV Injection: a cell starting with = + - @ tab or carriage return (and line feed,
    full-width forms, or any of them after spaces) is exported as text: a leading quote."""
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    log(db, "r1", 7, "failed", value, cause=value, fix=value)
    (row,) = list(csv.DictReader(io.StringIO(views.records_csv(db, 1, views.Filters()), newline="")))
    assert (row["source_ref"], row["cause"], row["fix"]) == ("'" + value,) * 3


def test_csv_leaves_ordinary_text_alone(db):
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    log(db, "r1", 7, "failed", "INV-7 = total", cause="a - b", fix="Renumber it.")
    (row,) = list(csv.DictReader(io.StringIO(views.records_csv(db, 1, views.Filters()), newline="")))
    assert (row["source_ref"], row["cause"], row["fix"]) == ("INV-7 = total", "a - b", "Renumber it.")

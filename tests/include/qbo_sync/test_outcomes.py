"""The sync log's bulk statements send their arrays in binary (issue 19.4: quoting each text
element of a text array cost more CPU than the rest of the statement). What is stored must be
exactly what the code gave, whatever the text: quotes, backslashes, braces, commas, the word
NULL, an empty string, other scripts, None."""

from __future__ import annotations

from decimal import Decimal

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from support.rows import insert

AWKWARD = [
    'Sent as "INV-1", with a note',
    "back\\slash {brace} and, comma",
    "NULL",
    "",
    "  leading and trailing spaces  ",
    "Zürich — 東京 · naïve",
    "line one\nline two\ttab",
]


def test_record_many_stores_every_text_exactly_as_given(db):
    ctx = outcomes.RunContext("qbo_sync", "run-bin", "sync", 3, 2)
    rows = [
        outcomes.Outcome(
            tenant_id=7,
            entity="invoice",
            source_id=900 + i,
            source_ref=text,
            action="create",
            status="failed" if i % 2 else "synced",
            realm_id="realm-7",
            error_code=None if i % 2 == 0 else "code_x",
            error_message=text,
            category="data" if i % 2 else None,
            cause=text,
            fix=text if i % 2 else None,
            qbo_id=str(10**12 + i),
            amount=Decimal("1234567.89") if i else None,
            adjustments=text,
        )
        for i, text in enumerate(AWKWARD)
    ]
    outcomes.record_many(db, ctx, rows)
    stored = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT source_id, source_ref, error_code, error_message, category, cause, fix, qbo_id, amount,"
            " adjustments, realm_id, status, map_index, try_number FROM qbo_sync.sync_log WHERE run_id = 'run-bin'"
        )
    }
    assert len(stored) == len(AWKWARD)
    for i, text in enumerate(AWKWARD):
        assert stored[900 + i] == (
            text,
            None if i % 2 == 0 else "code_x",
            text,
            "data" if i % 2 else None,
            text,
            text if i % 2 else None,
            str(10**12 + i),
            Decimal("1234567.89") if i else None,
            text,
            "realm-7",
            "failed" if i % 2 else "synced",
            3,
            2,
        )


def test_set_states_and_mark_done_reach_exactly_the_ids_given(db):
    for sid in (1, 2, 3, 2**40):
        insert(
            db,
            "qbo_sync.run_items",
            run_id="run-st",
            tenant_id=7,
            entity="invoice",
            source_id=sid,
            reason="changed",
        )
    outcomes.set_states(db, "run-st", 7, "invoice", [1, 2**40], "ready")
    outcomes.set_states(db, "run-st", 7, "invoice", [], "invalid")  # nothing to do, no error
    db.execute(
        load_sql("load/mark_done"),
        {"run_id": "run-st", "tenant_id": 7, "entity": "invoice", "source_ids": [3]},
    )
    states = dict(db.execute("SELECT source_id, state FROM qbo_sync.run_items WHERE run_id = 'run-st'"))
    assert states == {1: "ready", 2: "extracted", 3: "done", 2**40: "ready"}

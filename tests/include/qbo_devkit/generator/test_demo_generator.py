"""The demo generator: determinism, chunking, arithmetic, integrity, realism."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from demo_helpers import AS_OF, checksums, expected_line, expected_totals, ids, rows

from qbo_devkit.generator import BAD_CASES, BillingNotEmpty, Manifest, UnknownBadCase, display_name, generate

DATA_TABLES = ("clients", "invoices", "invoice_lines", "credit_notes", "credit_note_lines", "payments")
NOW = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC)


def _bad_invoice_ids(db, manifest: Manifest) -> set[int]:
    """Invoices a bad case touches, including those of its payments and credit notes."""
    found = {r.source_id for r in manifest.bad_records if r.entity in ("invoice", "payment_import")}
    payments = {r.source_id for r in manifest.records(entity="payment")}
    notes = {r.source_id for r in manifest.records(entity="credit_memo")}
    found |= {p["invoice_id"] for p in rows(db, "devkit/generator/checks/payments") if p["id"] in payments}
    found |= {c["invoice_id"] for c in rows(db, "devkit/generator/checks/credit_notes") if c["id"] in notes}
    refunds = {r.source_id for r in manifest.records(entity="refund")}
    found |= {f["invoice_id"] for f in rows(db, "devkit/generator/checks/refunds") if f["id"] in refunds}
    return found


def test_same_seed_gives_identical_data_and_manifest(make, db):
    first = make()
    first_sums = checksums(db)
    second = make()  # replace=True empties the billing schema first
    assert checksums(db) == first_sums
    assert second.to_json() == first.to_json()
    assert all(first_sums[t][0] > 0 for t in DATA_TABLES)


def test_different_seed_gives_different_data(make, db):
    make(seed=42)
    first = checksums(db)
    make(seed=43)
    second = checksums(db)
    for table in ("clients", "invoices", "invoice_lines", "payments"):
        assert first[table] != second[table], table


def test_chunking_does_not_change_the_data(make, db):
    one_chunk = make(chunk_size=5000)
    one_sums = checksums(db)
    seen = []
    small = make(chunk_size=7, progress=seen.append)
    assert checksums(db) == one_sums
    assert small.to_json() == one_chunk.to_json()
    assert len(seen) == -(-300 // 7)  # one progress report per chunk
    assert seen[-1].invoices_done == 300


def test_as_of_defaults_to_today_utc(db):
    manifest = generate(db, seed=1, invoices=30, bad_cases="none")
    assert manifest.as_of == datetime.now(UTC).date().isoformat()
    latest = max(r["updated_at"] for r in rows(db, "devkit/generator/checks/invoices"))
    assert latest <= datetime.combine(datetime.now(UTC).date(), datetime.min.time(), tzinfo=UTC)


def test_every_good_finalized_invoice_adds_up(make, db):
    manifest = make()
    bad = _bad_invoice_ids(db, manifest)
    rates = {r["id"]: r["rate"] for r in rows(db, "devkit/generator/checks/tax_rates")}
    lines = defaultdict(list)
    for line in rows(db, "devkit/generator/checks/invoice_lines"):
        lines[line["invoice_id"]].append(line)
    checked = 0
    for inv in rows(db, "devkit/generator/checks/invoices"):
        if inv["id"] in bad or inv["status"] != "finalized":
            continue
        inv_lines = lines[inv["id"]]
        assert inv_lines, inv
        for line in inv_lines:
            assert line["amount"] == expected_line(line), line
            assert line["amount"] > 0
            if inv["tax_mode"] == "none":
                assert line["tax_rate_id"] is None
        assert (inv["subtotal"], inv["tax_total"], inv["total"]) == expected_totals(
            inv["tax_mode"], inv_lines, rates
        ), inv
        checked += 1
    assert checked > 200


def test_credit_notes_and_payments_stay_within_the_invoice(make, db):
    manifest = make()
    for note in rows(db, "devkit/generator/checks/credit_notes"):
        assert note["total"] == note["lines_total"] > 0
        assert note["total"] <= note["invoice_total"]
    # Only the overpayment cases pay more than an invoice asks (issue 13): overpayment, and
    # refund_of_overpayment_credit, whose refund pays part of the excess back.
    overpaid = {
        p["invoice_id"]
        for p in rows(db, "devkit/generator/checks/payments")
        if p["id"] in {r.source_id for r in manifest.records("overpayment", "payment")}
    } | {r.source_id for r in manifest.records("refund_of_overpayment_credit", "invoice")}
    assert set(ids(db, "devkit/generator/checks/overpaid_invoices")) == overpaid
    statuses = Counter(n["status"] for n in rows(db, "devkit/generator/checks/credit_notes"))
    assert statuses["finalized"] > 0 and statuses["draft"] > 0
    # several partial payments on one invoice, and a few voided ones, happen
    per_invoice = Counter(p["invoice_id"] for p in rows(db, "devkit/generator/checks/payments"))
    assert max(per_invoice.values()) >= 2
    assert manifest.counts["payments"] == sum(per_invoice.values())


def test_integrity_of_the_data(make, db):
    manifest = make(invoices=600)
    bad = sorted(_bad_invoice_ids(db, manifest))
    counts = rows(db, "devkit/generator/checks/integrity", {"bad_invoices": bad, "now": NOW})[0]
    assert counts == {name: 0 for name in counts}


def test_realistic_shape(make, db):
    manifest = make(invoices=900, bad_cases="none")
    invoices = rows(db, "devkit/generator/checks/invoices")
    by_status = Counter((i["status"], i["origin"]) for i in invoices)
    assert by_status[("finalized", "app")] > 0.8 * len(invoices)
    assert by_status[("draft", "app")] > 0 and by_status[("voided", "app")] > 0
    assert by_status[("finalized", "quickbooks")] > 0
    modes = {(i["tenant_id"], i["tax_mode"]) for i in invoices}
    us = next(t.id for t in manifest.tenants if t.region == "US")
    assert {mode for tenant, mode in modes if tenant == us} == {"exclusive"}
    assert {mode for tenant, mode in modes if tenant != us} == {"exclusive", "inclusive", "none"}
    days = sorted({i["issue_date"] for i in invoices})
    assert days[0] >= AS_OF - timedelta(days=90) and days[-1] < AS_OF
    assert (days[-1] - days[0]).days > 80
    for tenant in manifest.tenants:
        assert datetime.fromisoformat(tenant.connected_at) < min(
            i["finalized_at"] for i in invoices if i["tenant_id"] == tenant.id and i["finalized_at"]
        )
    lines = rows(db, "devkit/generator/checks/invoice_lines")
    assert {line["discount_kind"] for line in lines} == {None, "fixed", "percent"}
    assert Counter(len(list(g)) for g in _group(lines).values()).keys() == {1, 2, 3, 4, 5, 6}
    payments = rows(db, "devkit/generator/checks/payments")
    assert {p["method"] for p in payments} == {"cash", "card", "cheque", "bank_transfer", "other"}
    assert any(p["voided_at"] for p in payments)
    assert all(p["reference"] is None or len(p["reference"]) <= 21 for p in payments)
    clients = rows(db, "devkit/generator/checks/clients")
    assert any(c["parent_client_id"] for c in clients)
    assert any(c["first_name"] is None and c["company_name"] for c in clients)
    # same-name clients happen in the tagged tenants, never in the plain-name one
    plain = next(t for t in manifest.tenants if t.display_name_template == "{name}")
    for tenant in manifest.tenants:
        names = Counter(
            (c["first_name"], c["last_name"], c["company_name"]) for c in clients if c["tenant_id"] == tenant.id
        )
        shown = Counter(
            display_name(tenant.display_name_template, c["id"], c["first_name"], c["last_name"], c["company_name"])
            for c in clients
            if c["tenant_id"] == tenant.id
        )
        assert max(shown.values()) == 1, tenant.name  # every display name unique
        if tenant.id != plain.id:
            assert max(names.values()) > 1, tenant.name
    assert {t.region for t in manifest.tenants} == {"AU", "UK", "US"}
    assert {t.currency for t in manifest.tenants} == {"AUD", "GBP", "USD"}


def _group(lines):
    grouped = defaultdict(list)
    for line in lines:
        grouped[line["invoice_id"]].append(line)
    return grouped


def test_good_data_does_not_depend_on_the_bad_cases(make, db):
    # revoked_connection adds a tenant (it takes a share of the invoices); the others only
    # rewrite their own designated records.
    make(bad_cases="none")
    clean = {i["id"]: i for i in rows(db, "devkit/generator/checks/invoices")}
    manifest = make(bad_cases=[c for c in BAD_CASES if c != "revoked_connection"])
    bad = _bad_invoice_ids(db, manifest)
    dirty = {i["id"]: i for i in rows(db, "devkit/generator/checks/invoices")}
    assert clean.keys() == dirty.keys()
    changed = {k for k in clean if clean[k] != dirty[k]}
    assert changed <= bad
    assert len(changed) > 20


def test_sequences_are_moved_past_the_explicit_ids(make, db):
    make(invoices=50)
    for row in rows(db, "devkit/generator/checks/next_ids"):
        assert row["next_id"] > (row["max_id"] or 0), row


def test_refuses_to_write_over_existing_rows(make, db):
    make(invoices=20, bad_cases="none")
    before = checksums(db)
    with pytest.raises(BillingNotEmpty, match="--replace"):
        generate(db, seed=7, invoices=20, as_of=AS_OF)
    assert checksums(db) == before  # nothing half-written


def test_unknown_bad_case_is_refused(db):
    with pytest.raises(UnknownBadCase, match="no_such_case"):
        generate(db, seed=1, invoices=10, bad_cases=["no_line_items", "no_such_case"])


def test_manifest_round_trips_through_json(make):
    manifest = make()
    again = Manifest.from_json(manifest.to_json())
    assert again == manifest
    assert again.to_json() == manifest.to_json()
    assert manifest.counts["invoices"] == 300
    assert manifest.counts["tenants"] == len(manifest.tenants) == 4  # 3 + the revoked one


def test_more_tenants_cycle_the_regions(make, db):
    manifest = make(tenants=5, invoices=200, bad_cases="none")
    assert [t.region for t in manifest.tenants] == ["AU", "UK", "US", "AU", "UK"]
    assert len({t.name for t in manifest.tenants}) == 5
    assert sum(1 for t in manifest.tenants if t.display_name_template == "{name}") == 1
    assert len(rows(db, "devkit/generator/checks/invoices")) == 200

"""A payment, credit memo or credit application whose answer was lost is found again in
QuickBooks with a query QuickBooks accepts (CustomerRef and a TxnDate range; PrivateNote,
which holds our tag, cannot be filtered on) and is never posted twice."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D
from urllib.parse import parse_qs

from qbo_sync.pipeline import run_once
from support.rows import insert
from support.runs import full_window, logged
from support.scenario import build_au_tenant

# The test connection makes 4 attempts (tests/conftest.py max_tries): the first commits and
# loses its answer, the 3 replays with the same requestid are reset, so the client gives up
# with OutcomeUnknown and the sync must look the record up.
REPLAYS = 3


def lose_answer(qbo_app, realm_id, path):
    qbo_app.inject_fault(realm_id, "commit_then_drop", count=1, path_contains=path)
    qbo_app.inject_fault(realm_id, "reset", count=REPLAYS, path_contains=path)


def lookups(qbo_app, realm_id, entity):
    """The sync's look-ups of ``entity`` by customer (not the inbound payments' own queries)."""
    texts = [
        parse_qs(r["query"]).get("query", [""])[0]
        for r in qbo_app.requests_log(realm_id)
        if r["path"].endswith("/query")
    ]
    return [t for t in texts if f"from {entity} where CustomerRef" in t]


def tagged(client, entity, tag):
    return [r for r in client.query(f"select * from {entity}") if tag in (r.get("PrivateNote") or "")]


def test_a_payment_whose_answer_was_lost_is_found_by_customer_and_date(db, qbo_app, qbo_factory):
    company, _ = build_au_tenant(db, qbo_app)
    run_once(db, full_window("r1"), qbo_factory)  # customers and invoices go first
    now = datetime.now(UTC)
    insert(
        db,
        "billing.payments",
        id=101,
        tenant_id=1,
        invoice_id=1,
        amount=D("50.00"),
        paid_at=now,
        method="card",
        reference="CARD-0001",
        origin="app",
        created_at=now,
    )
    lose_answer(qbo_app, company["realm_id"], "/batch")
    run_once(db, full_window("r2"), qbo_factory)
    status, code, note = logged(db, "r2", "payment", 101, "status", "error_code", "error_message")
    assert (status, code) == ("synced", None) and "answer lost; found in QuickBooks" in note
    with qbo_factory(1) as client:
        assert len(tagged(client, "Payment", "[qbo-sync payment 101]")) == 1
    sent = lookups(qbo_app, company["realm_id"], "Payment")
    assert sent and all("TxnDate >=" in q and "TxnDate <=" in q for q in sent)
    assert not any("PrivateNote" in q for q in sent)


def _credit_note(db):
    now = datetime.now(UTC)
    insert(
        db,
        "billing.credit_notes",
        id=1,
        tenant_id=1,
        number="CN-0001",
        invoice_id=1,
        client_id=1,
        issue_date=now.date(),
        status="finalized",
        total=D("11.00"),
        finalized_at=now,
        updated_at=now,
    )
    insert(
        db,
        "billing.credit_note_lines",
        id=1,
        credit_note_id=1,
        description="goodwill",
        amount=D("11.00"),
        tax_rate_id=1,
    )


def _credit_note_answer_lost_then_rerun(db, qbo_app, qbo_factory, path):
    """A credit note whose QuickBooks write at ``path`` loses its answer: the run ends
    outcome_unknown, the next run finds what landed and ends synced. Returns the company."""
    company, _ = build_au_tenant(db, qbo_app)
    run_once(db, full_window("r1"), qbo_factory)
    _credit_note(db)
    lose_answer(qbo_app, company["realm_id"], path)
    run_once(db, full_window("r2"), qbo_factory)
    assert logged(db, "r2", "credit_memo", 1, "status", "error_code") == ("failed", "outcome_unknown")
    run_once(db, full_window("r3"), qbo_factory)
    assert logged(db, "r3", "credit_memo", 1, "status", "error_code") == ("synced", None)
    return company


def test_a_credit_memo_whose_answer_was_lost_is_found_next_run_not_doubled(db, qbo_app, qbo_factory):
    company = _credit_note_answer_lost_then_rerun(db, qbo_app, qbo_factory, "/creditmemo")
    with qbo_factory(1) as client:
        assert len(tagged(client, "CreditMemo", "[qbo-sync credit_memo 1]")) == 1
        assert len(tagged(client, "Payment", "[qbo-sync credit_application 1]")) == 1
    sent = lookups(qbo_app, company["realm_id"], "CreditMemo")
    assert sent and all("TxnDate >=" in q for q in sent)


def test_a_credit_application_whose_answer_was_lost_is_found_next_run_not_doubled(db, qbo_app, qbo_factory):
    # The application is a Payment.
    company = _credit_note_answer_lost_then_rerun(db, qbo_app, qbo_factory, "/payment?")
    with qbo_factory(1) as client:
        assert len(tagged(client, "CreditMemo", "[qbo-sync credit_memo 1]")) == 1
        applications = tagged(client, "Payment", "[qbo-sync credit_application 1]")
        assert len(applications) == 1
        invoice = client.read("Invoice", applications[0]["Line"][0]["LinkedTxn"][0]["TxnId"])
        assert D(str(invoice["Balance"])) == D(str(invoice["TotalAmt"])) - D("11.00")
    sent = lookups(qbo_app, company["realm_id"], "Payment")
    assert sent and all("TxnDate >=" in q for q in sent)

"""A customer or invoice whose answer was lost is found again in QuickBooks with a query
QuickBooks accepts (customers by DisplayName, invoices by DocNumber, our tag in PrivateNote
checked on our side: PrivateNote cannot be filtered on) and is never posted twice."""

from __future__ import annotations

from urllib.parse import parse_qs

from qbo_sync.pipeline import run_once
from support.runs import full_window, logged
from support.scenario import add_invoice, build_au_tenant

# The test connection makes 4 attempts (tests/conftest.py max_tries): the first commits and
# loses its answer, the 3 replays with the same requestid are reset: OutcomeUnknown.
REPLAYS = 3


def lose_next_batch_answer(qbo_app, realm_id):
    qbo_app.inject_fault(realm_id, "commit_then_drop", count=1, path_contains="/batch")
    qbo_app.inject_fault(realm_id, "reset", count=REPLAYS, path_contains="/batch")


def sent_queries(qbo_app, realm_id):
    return [
        parse_qs(r["query"]).get("query", [""])[0]
        for r in qbo_app.requests_log(realm_id)
        if r["path"].endswith("/query")
    ]


def test_customers_whose_answer_was_lost_are_found_by_display_name(db, qbo_app, qbo_factory):
    company, _ = build_au_tenant(db, qbo_app)
    lose_next_batch_answer(qbo_app, company["realm_id"])  # the first batch is the customers'
    run_once(db, full_window("r1"), qbo_factory)
    status, _, note = logged(db, "r1", "customer", 1, "status", "error_code", "error_message")
    assert status == "synced" and "answer was lost" in note
    with qbo_factory(1) as client:
        names = [c["DisplayName"] for c in client.query("select * from Customer")]
        assert len(names) == len(set(names)) == 3
    assert any("from Customer where DisplayName in" in q for q in sent_queries(qbo_app, company["realm_id"]))


def test_an_invoice_whose_answer_was_lost_is_found_by_doc_number_and_tag(db, qbo_app, qbo_factory):
    company, _ = build_au_tenant(db, qbo_app)
    run_once(db, full_window("r1"), qbo_factory)
    add_invoice(db, 12, "INV-0012", 4, [("2", "25.00", 1, None, None)])
    lose_next_batch_answer(qbo_app, company["realm_id"])  # r2 sends only this invoice
    run_once(db, full_window("r2"), qbo_factory)
    status, _, note = logged(db, "r2", "invoice", 12, "status", "error_code", "error_message")
    assert status == "synced" and "answer was lost" in note
    with qbo_factory(1) as client:
        rows = client.query("select * from Invoice where DocNumber = 'INV-0012'")
        assert len(rows) == 1 and "[qbo-sync invoice 12]" in rows[0]["PrivateNote"]
    looked = [q for q in sent_queries(qbo_app, company["realm_id"]) if "from Invoice where" in q]
    assert any("DocNumber in" in q for q in looked) and not any("PrivateNote" in q for q in looked)


def _customer(qbo_factory, db, client_id):
    qid = db.execute(
        "SELECT qbo_id FROM qbo_sync.entity_map WHERE entity = 'customer' AND source_id = %s", (client_id,)
    ).fetchone()[0]
    with qbo_factory(1) as client:
        return client.read("Customer", qid)


def customer_reads(qbo_app, realm_id, qbo_id, since):
    log = qbo_app.requests_log(realm_id)[since:]
    return [r for r in log if r["method"] == "GET" and r["path"].endswith(f"/customer/{qbo_id}")]


def test_a_customer_update_whose_answer_was_lost_is_read_by_id_and_not_sent_twice(db, qbo_app, qbo_factory):
    company, _ = build_au_tenant(db, qbo_app)
    run_once(db, full_window("r1"), qbo_factory)
    before = _customer(qbo_factory, db, 4)
    db.execute("UPDATE billing.clients SET email = 'bob@example.com', updated_at = now() WHERE id = 4")
    since = len(qbo_app.requests_log(company["realm_id"]))
    lose_next_batch_answer(qbo_app, company["realm_id"])  # the update lands; its answer is lost
    run_once(db, full_window("r2"), qbo_factory)
    status, note = logged(db, "r2", "customer", 4, "status", "error_message")
    assert status == "synced" and "already had this change" in note
    assert len(customer_reads(qbo_app, company["realm_id"], before["Id"], since)) == 1  # looked up by Id
    after = _customer(qbo_factory, db, 4)
    assert after["PrimaryEmailAddr"]["Address"] == "bob@example.com"
    assert int(after["SyncToken"]) == int(before["SyncToken"]) + 1  # written exactly once
    recorded = db.execute("SELECT sync_token FROM qbo_sync.entity_map WHERE entity = 'customer' AND source_id = 4")
    assert recorded.fetchone()[0] == after["SyncToken"]


def test_a_customer_update_that_never_landed_is_sent_again_after_the_look_up(db, qbo_app, qbo_factory):
    company, _ = build_au_tenant(db, qbo_app)
    run_once(db, full_window("r1"), qbo_factory)
    before = _customer(qbo_factory, db, 4)
    db.execute("UPDATE billing.clients SET email = 'bob@example.com', updated_at = now() WHERE id = 4")
    qbo_app.inject_fault(company["realm_id"], "reset", count=REPLAYS + 1, path_contains="/batch")  # nothing lands
    run_once(db, full_window("r2"), qbo_factory)
    status, note = logged(db, "r2", "customer", 4, "status", "error_message")
    assert status == "synced" and "already had" not in (note or "")
    after = _customer(qbo_factory, db, 4)
    assert after["PrimaryEmailAddr"]["Address"] == "bob@example.com"
    assert int(after["SyncToken"]) == int(before["SyncToken"]) + 1

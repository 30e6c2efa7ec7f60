"""E-mail addresses QuickBooks would refuse (fault 2210): checked before sending, and per the
tenant's policy either left out (the client syncs, its sync-log row says why) or failed with
the fix. A whole run against the emulator, which answers 2210 as QuickBooks does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from qbo_sync.transform.customer import email_problem

NOW = datetime.now(UTC)
EMAILS = {  # client id (within a tenant: + 100 * tenant) -> address
    1: "good.one+billing@example.com",
    2: "jane smith@example.com",
    3: "jane@example.com, accounts@example.com",
    4: "jöe@example.com",
    5: "jane@example.com.",
    6: "  padded@example.com  ",
}
BAD = {2, 3, 4, 5}


@pytest.mark.parametrize(
    "address,problem",
    [
        ("a@b.co", None),
        ("o'neil+x@mail.example.ie", None),
        (" spaced@example.com ", None),
        ("", None),
        (None, None),
        ("a b@c.com", "space"),
        ("a@b@c.com", "more than one @"),
        ("a@", "after the @"),
        ("@b.com", "before the @"),
        ("a@b.com.", "dot"),
        ("a..b@c.com", "dot"),
        ("jöe@x.com", "non-ASCII"),
        ("a@b.com,c@d.com", "several"),
        ("a@b.com; c@d.com", "several"),
        ("a(b)@c.com", "characters"),
        ("no-at-sign", "no @"),
        ("x" * 95 + "@b.com", None),  # over 100 characters: its own check (email_too_long)
    ],
)
def test_email_problem_follows_rfc822_addr_spec(address, problem):
    found = email_problem(address)
    assert (found is None) if problem is None else (problem in found)


def _build(db, qbo_app):
    from support.small_tenant import small_tenant

    small_tenant(db, qbo_app, 1, EMAILS)  # 'omit': the default
    small_tenant(db, qbo_app, 2, EMAILS, invalid_email_policy="fail")


def test_invalid_email_omitted_or_failed_per_tenant_policy(db, qbo_app, qbo_factory):
    _build(db, qbo_app)
    window = RunWindow("r-email", NOW - timedelta(days=1), NOW, full_sync=True)
    run_once(db, window, qbo_factory)
    logged = {
        (t, s): (status, code, message, cause, fix)
        for t, s, status, code, message, cause, fix in db.execute(
            "SELECT tenant_id, source_id, status, error_code, adjustments, cause, fix FROM qbo_sync.sync_log"
            " WHERE run_id = 'r-email' AND entity = 'customer'"
        )
    }

    # 'omit' (the default): every client synced; the bad addresses left out, and the row says why.
    with qbo_factory(1) as client:
        in_qbo = {c["GivenName"] + " " + c["FamilyName"]: c for c in client.query("select * from Customer")}
    for n, email in EMAILS.items():
        status, code, message, _cause, _fix = logged[(1, 100 + n)]
        assert status == "synced", (n, logged[(1, 100 + n)])
        customer = in_qbo[f"Client No{100 + n}"]
        if n in BAD:
            assert "PrimaryEmailAddr" not in customer
            assert f"Synced without its e-mail address '{email.strip()}'" in message
            assert email_problem(email) in message and "Correct the address in the billing app" in message
        else:
            assert customer["PrimaryEmailAddr"]["Address"] == email.strip()
            assert message is None
    # 'fail': the bad ones fail before sending, with the address, the reason and the fix.
    for n, email in EMAILS.items():
        status, code, _message, cause, fix = logged[(2, 200 + n)]
        if n in BAD:
            assert (status, code) == ("failed", "invalid_email")
            assert f"'{email.strip()}'" in cause and email_problem(email) in cause
            assert "--invalid-email-policy omit" in fix and "billing app" in fix
        else:
            assert status == "synced"
    invoices = dict(
        db.execute(
            "SELECT source_id, status FROM qbo_sync.sync_log WHERE run_id = 'r-email'"
            " AND entity = 'invoice' AND tenant_id = 2"
        ).fetchall()
    )
    assert {n for n in EMAILS if invoices[200 + n] == "failed"} == BAD  # their invoices wait for them
    assert all(status == "synced" for (t, _), (status, *_rest) in logged.items() if t == 1)
    assert set(
        db.execute(
            "SELECT DISTINCT status FROM qbo_sync.sync_log WHERE run_id = 'r-email'"
            " AND entity = 'invoice' AND tenant_id = 1"
        ).fetchall()
    ) == {("synced",)}
    # QuickBooks never had to refuse an address: nothing reached it that it would answer 2210.
    for tenant_id in (1, 2):
        realm = db.execute(
            "SELECT realm_id FROM qbo_sync.tenant_connections WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()[0]
        assert all(r["status"] in (200, None) for r in qbo_app.requests_log(realm) if "/v3/" in r["path"])

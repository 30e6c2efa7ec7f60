"""The tenant access map (issue 16.2) on a real database: grants by user and by role, every
tenant, admins, unknown tenants refused with the fix, and the CLI that administers it."""

from __future__ import annotations

import pytest

from qbo_sync.tenants import access
from qbo_sync.tenants.__main__ import main
from support.rows import insert


@pytest.fixture
def three(db):
    for tid, name in ((1, "Harbour Physio"), (2, "Northside Dental"), (3, "Westside Dental")):
        insert(db, "billing.tenants", id=tid, name=name)
    return db


class _FabRole:
    def __init__(self, name):
        self.name = name


class _FabUser:  # FAB's user: a list of role objects
    roles = [_FabRole("Support"), _FabRole("Viewer")]


class _SimpleUser:  # SimpleAuthManager's user: one role string
    role = "ADMIN"


def test_roles_of_reads_both_auth_managers_shapes():
    assert access.roles_of(_FabUser()) == ("support", "viewer")
    assert access.roles_of(_SimpleUser()) == ("admin",)
    assert access.roles_of(object()) == ()


def test_grants_by_user_and_role_and_every_tenant(three):
    db = three
    assert access.scope_of(db, "alice", ["viewer"]).tenant_ids == frozenset()
    assert not access.scope_of(db, "alice", ["viewer"]).allows(1)  # unmapped: nothing
    access.grant(db, access.USER, "alice", [1], granted_by="t")
    access.grant(db, access.ROLE, "Support", [2], granted_by="t")
    alice = access.scope_of(db, "alice", ["support"])
    assert (alice.allows(1), alice.allows(2), alice.allows(3)) == (True, True, False)
    bob = access.scope_of(db, "bob", ["viewer"])
    assert not any(bob.allows(t) for t in (1, 2, 3))
    assert [t["tenant_id"] for t in alice.filter([{"tenant_id": t} for t in (1, 2, 3)])] == [1, 2]
    access.grant(db, access.USER, "bob", None, granted_by="t")  # --all
    assert access.scope_of(db, "bob", []).allows(3)
    assert access.scope_of(db, "root", ["admin"]).every  # admins need no grant
    # A repeat changes nothing; a revoke takes back exactly that grant.
    assert access.grant(db, access.USER, "alice", [1], granted_by="t") == ["user alice: tenant 1 was already granted"]
    assert access.revoke(db, access.ROLE, "SUPPORT", [2]) == ["role support: tenant 2 revoked"]
    assert not access.scope_of(db, "alice", ["support"]).allows(2)


def test_a_grant_of_an_unknown_tenant_is_refused_with_the_fix(three):
    with pytest.raises(access.AccessError, match="there is no tenant 9: see `python -m qbo_sync.tenants show`"):
        access.grant(three, access.USER, "alice", [9], granted_by="t")


def test_the_cli_grants_lists_and_revokes(three, database_url, monkeypatch, capsys):
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", database_url)
    assert main(["access", "grant", "--role", "Support", "--tenant-id", "1", "2"]) == 0
    assert main(["access", "grant", "--user", "carol", "--all"]) == 0
    assert main(["access", "list"]) == 0
    out = capsys.readouterr().out
    assert "role support: tenant 1 granted" in out and "role support: tenant 2 granted" in out
    assert "user carol: every tenant granted" in out
    assert "role support: tenant 1 (Harbour Physio)" in out and "user carol: every tenant - granted by" in out
    assert main(["access", "grant", "--user", "carol", "--tenant-id", "9"]) == 2
    assert "there is no tenant 9" in capsys.readouterr().err
    assert main(["access", "revoke", "--user", "carol", "--all"]) == 0
    assert not access.scope_of(three, "carol", []).allows(1)

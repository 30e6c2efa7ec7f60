"""``make demo`` run again in the same checkout: it starts a new QuickBooks emulator, so every
QuickBooks Id the previous demo kept (entity map, a client's customer in another currency,
item map, tracks...) must be forgotten, or the second demo sends invoices to customers that do
not exist in the new company (seen: a foreign-currency invoice failing with 2500 on CustomerRef).
Who may see which tenant (tenant_access) is the user's own setting and stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qbo_devkit.demo import setup_tenants
from qbo_devkit.generator.dataset import generate
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once

KEPT = {"schema_migrations", "tenant_access"}


def _filled(db) -> dict[str, int]:
    """Rows in each table of the qbo_sync schema."""
    db.execute(load_sql("devkit/local/qbo_sync_row_counts"))
    return dict(db.execute(load_sql("devkit/local/qbo_sync_rows")).fetchall())


def test_a_second_demo_forgets_every_quickbooks_id_of_the_first(db, qbo_app, qbo_factory):
    manifest = generate(db, seed=42, tenants=3, invoices=120, replace=True)
    setup_tenants(db, qbo_app, manifest, qbo_app.app_credentials)
    now = datetime.now(UTC)
    run_once(db, RunWindow("demo-1", now - timedelta(hours=1), now, full_sync=True), qbo_factory)
    db.execute(
        "INSERT INTO qbo_sync.tenant_access (principal_kind, principal, tenant_id, granted_by)"
        " VALUES ('user', 'finance', 1, 'admin')"
    )
    before = _filled(db)
    assert before["entity_map"] and before["currency_customers"] and before["sync_log"], before

    db.execute(load_sql("devkit/local/reset_sync_state"))

    after = _filled(db)
    assert {t: n for t, n in after.items() if n and t not in KEPT} == {}
    assert after["tenant_access"] == 1 and after["schema_migrations"] == before["schema_migrations"]

"""Migrations apply cleanly to an empty database, twice, and refuse edited history."""

from __future__ import annotations

import secrets
import shutil

import psycopg
import pytest

from qbo_sync.db.connection import connect, drop_database, ensure_database, with_dbname
from qbo_sync.db.migrations import MigrationError, discover, migrate
from qbo_sync.settings import sql_dir

BILLING_CONTRACT = {
    "tenants": {"id", "name", "currency", "timezone", "created_at"},
    "clients": {
        "id",
        "tenant_id",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "phone",
        "parent_client_id",
        "active",
        "created_at",
        "updated_at",
    },
    "catalog_items": {"id", "tenant_id", "name", "kind", "sku", "unit_price", "active", "updated_at"},
    "tax_rates": {"id", "tenant_id", "name", "rate", "active"},
    "invoices": {
        "id",
        "tenant_id",
        "number",
        "client_id",
        "status",
        "issue_date",
        "due_date",
        "tax_mode",
        "currency",
        "subtotal",
        "tax_total",
        "total",
        "notes",
        "origin",
        "created_at",
        "finalized_at",
        "voided_at",
        "updated_at",
    },
    "invoice_lines": {
        "id",
        "invoice_id",
        "position",
        "item_id",
        "description",
        "quantity",
        "unit_price",
        "discount_kind",
        "discount_value",
        "tax_rate_id",
        "amount",
    },
    "credit_notes": {
        "id",
        "tenant_id",
        "number",
        "invoice_id",
        "client_id",
        "issue_date",
        "status",
        "reason",
        "total",
        "created_at",
        "finalized_at",
        "updated_at",
    },
    "credit_note_lines": {"id", "credit_note_id", "invoice_line_id", "description", "amount", "tax_rate_id"},
    "payments": {
        "id",
        "tenant_id",
        "invoice_id",
        "amount",
        "paid_at",
        "method",
        "reference",
        "origin",
        "external_id",
        "created_at",
        "voided_at",
    },
}
SYNC_LOG_COLUMNS = {
    "id",
    "logged_at",
    "dag_id",
    "run_id",
    "task_id",
    "map_index",
    "try_number",
    "tenant_id",
    "realm_id",
    "entity",
    "source_id",
    "source_ref",
    "action",
    "status",
    "error_code",
    "error_message",
    "cause",
    "fix",
    "qbo_id",
}


@pytest.fixture
def empty_db(pg_server_url):
    name = f"qbo_mig_{secrets.token_hex(4)}"
    ensure_database(pg_server_url, name)
    yield with_dbname(pg_server_url, name)
    drop_database(pg_server_url, name)


def columns(conn, schema: str, table: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
        (schema, table),
    ).fetchall()
    return dict(rows)


def test_migrations_apply_twice_to_an_empty_database(empty_db):
    with connect(empty_db) as conn:
        first = migrate(conn)
        second = migrate(conn)
        recorded = [r[0] for r in conn.execute("SELECT version FROM qbo_sync.schema_migrations ORDER BY version")]
    assert first == [m.version for m in discover()]
    assert second == []
    assert recorded == first


def test_billing_schema_matches_the_contract(database_url):
    with connect(database_url) as conn:
        for table, expected in BILLING_CONTRACT.items():
            actual = columns(conn, "billing", table)
            assert expected <= set(actual), f"billing.{table} lacks {expected - set(actual)}"
        # Money is numeric, never float.
        for table, column in [
            ("invoices", "total"),
            ("invoice_lines", "amount"),
            ("payments", "amount"),
            ("credit_notes", "total"),
            ("invoice_lines", "unit_price"),
            ("tax_rates", "rate"),
        ]:
            assert columns(conn, "billing", table)[column] == "numeric", f"{table}.{column}"


def test_sync_log_and_record_status_view(database_url):
    with connect(database_url) as conn:
        assert SYNC_LOG_COLUMNS <= set(columns(conn, "qbo_sync", "sync_log"))
        conn.execute("INSERT INTO billing.tenants (id, name) VALUES (900, 't')")
        rows = [
            ("invoice", 1, "INV-1", "create", "failed", "c", "f"),
            ("invoice", 1, "INV-1", "create", "synced", None, None),
            ("invoice", 2, "INV-2", "create", "failed", "no lines", "add a line"),
        ]
        for entity, source_id, ref, action, status, cause, fix in rows:
            conn.execute(
                "INSERT INTO qbo_sync.sync_log (tenant_id, entity, source_id, source_ref, action,"
                " status, cause, fix) VALUES (900, %s, %s, %s, %s, %s, %s, %s)",
                (entity, source_id, ref, action, status, cause, fix),
            )
        latest = dict(
            conn.execute("SELECT source_id, status FROM qbo_sync.record_status WHERE tenant_id = 900").fetchall()
        )
        assert latest == {1: "synced", 2: "failed"}
        conn.execute(
            "INSERT INTO qbo_sync.record_controls (tenant_id, entity, source_id, excluded)"
            " VALUES (900, 'invoice', 2, true)"
        )
        excluded = conn.execute(
            "SELECT status FROM qbo_sync.record_status WHERE tenant_id = 900 AND source_id = 2"
        ).fetchone()[0]
        assert excluded == "excluded"
        conn.rollback()


def test_a_failure_without_cause_and_fix_is_refused(database_url):
    with connect(database_url) as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO qbo_sync.sync_log (tenant_id, entity, action, status)"
                " VALUES (1, 'invoice', 'create', 'failed')"
            )
        conn.rollback()


def test_unknown_entity_or_status_is_refused(database_url):
    with connect(database_url) as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO qbo_sync.sync_log (tenant_id, entity, action, status)"
                " VALUES (1, 'bill', 'create', 'synced')"
            )
        conn.rollback()


def test_an_edited_applied_migration_is_refused(empty_db, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(sql_dir() / "migrations", folder)
    with connect(empty_db) as conn:
        migrate(conn, folder)
        first = sorted(folder.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- edited\n")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            migrate(conn, folder)


def test_a_misnamed_migration_file_is_refused(tmp_path):
    (tmp_path / "add_table.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_lower_snake_name"):
        discover(tmp_path)

"""Hostile strings in every text column of the billing schema go through a whole sync run
as data, never as code: SQL (psycopg parameters), QuickBooks' query language (``quote``)
and JSON all carry them unchanged.

The columns are read from information_schema when the test runs, so a column added to the
billing schema later is covered without editing this test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from psycopg import sql

from qbo_sync import pipeline
from qbo_sync.extract.records import RunWindow
from qbo_sync.transform.customer import email_problem
from support.rows import insert
from support.scenario import NOW, build_au_tenant

# SQL and format-string metacharacters, quotes of every kind, backslashes, markup and
# non-ASCII (no NUL: PostgreSQL text cannot hold it). Single spaces only and no colon:
# the sync collapses whitespace and QuickBooks forbids ':' in names, by design.
PAYLOADS = [
    'O\'Brien "the" `tick` & <b>bold</b>',
    "Robert'); DROP TABLE billing.invoices; --",
    "%s %(x)s %% $1 $$ {} {0} {name} ?",
    "back\\slash \\' \\\" \\\\N \\x00 \\u0041",
    "Zoë Ünïcødé 漢字 🧾 \u202ertl\u202c — ‘’“”",
]
# Where QuickBooks allows at most 21 characters (numbers, payment references) or 30 (phone).
SHORT = ["';DROP TABLE x;--", "%s%(x)s$1{}\\'\"", "Ω漢🧾'\\;--"]
SHORT_COLUMNS = {
    ("invoices", "number"),
    ("credit_notes", "number"),
    ("payments", "reference"),
    ("clients", "phone"),
}  # phone: QuickBooks keeps 30 characters
# Values the sync interprets rather than carries (an enumeration, a code, a key): the main
# rows keep valid ones so the records flow; a copy of each table's first row gets hostile
# values in these too.
VOCABULARY = {
    ("tenants", "currency"),
    ("invoices", "status"),
    ("invoices", "tax_mode"),
    ("invoices", "origin"),
    ("invoices", "currency"),
    ("invoice_lines", "discount_kind"),
    ("credit_notes", "status"),
    ("catalog_items", "kind"),
    ("payments", "method"),
    ("payments", "origin"),
    ("payments", "external_id"),
}
COPY_OFFSET = 900_000


def text_columns(db) -> dict[str, list[tuple[str, int | None]]]:
    rows = db.execute(
        "SELECT table_name, column_name, character_maximum_length FROM information_schema.columns"
        " WHERE table_schema = 'billing' AND data_type IN ('text', 'character varying', 'character')"
        " ORDER BY table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[tuple[str, int | None]]] = {}
    for table, column, length in rows:
        columns.setdefault(table, []).append((column, length))
    return columns


def hostile(table: str, column: str, row_id: int, position: int, length: int | None) -> str:
    if length is not None and length < 8:  # char(3): still a quote and a format character
        return ("'%s", "$1'", "\\'%")[row_id % 3][:length]
    tag = f"{row_id % 1000}"
    if (table, column) in SHORT_COLUMNS:
        return SHORT[(row_id + position) % len(SHORT)] + tag
    return f"{PAYLOADS[(row_id + position) % len(PAYLOADS)]} #{tag}"


def add_payment_and_credit_note(db) -> None:
    paid = NOW - timedelta(hours=2)
    insert(
        db,
        "billing.payments",
        id=101,
        tenant_id=1,
        invoice_id=1,
        amount=D("50.00"),
        paid_at=paid,
        method="card",
        reference="CARD-0001",
        origin="app",
        created_at=paid,
    )
    insert(
        db,
        "billing.credit_notes",
        id=1,
        tenant_id=1,
        number="CN-0001",
        invoice_id=11,
        client_id=5,
        issue_date=NOW.date(),
        status="finalized",
        total=D("11.00"),
        finalized_at=paid,
        updated_at=paid,
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


def make_hostile(db, columns) -> None:
    """Every row: hostile values in every carried text column. Plus a copy of each table's
    first row with hostile values in every text column, enumerations included."""
    for table, cols in columns.items():
        ident = sql.Identifier("billing", table)
        first = db.execute(sql.SQL("SELECT min(id) FROM {}").format(ident)).fetchone()[0]
        if first is None:
            continue
        db.execute(
            sql.SQL("CREATE TEMP TABLE row_copy AS SELECT * FROM {} WHERE id = %(id)s").format(ident), {"id": first}
        )
        # The copy points at the other copies (its invoice, client, item...), in tenant 1.
        refs = [
            r[0]
            for r in db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'billing'"
                " AND table_name = %s AND data_type = 'bigint' AND column_name LIKE '%%\\_id'"
                " AND column_name <> 'tenant_id'",
                (table,),
            ).fetchall()
        ]
        db.execute(
            sql.SQL("UPDATE row_copy SET {}").format(
                sql.SQL(", ").join(sql.SQL("{c} = {c} + %(offset)s").format(c=sql.Identifier(c)) for c in ["id", *refs])
            ),
            {"offset": COPY_OFFSET},
        )
        db.execute(sql.SQL("INSERT INTO {} SELECT * FROM row_copy").format(ident))
        db.execute("DROP TABLE row_copy")
        for (row_id,) in db.execute(sql.SQL("SELECT id FROM {} ORDER BY id").format(ident)).fetchall():
            values = {
                column: hostile(table, column, row_id, pos, length)
                for pos, (column, length) in enumerate(cols)
                if row_id >= COPY_OFFSET or (table, column) not in VOCABULARY
            }
            db.execute(
                sql.SQL("UPDATE {} SET {} WHERE id = %(row_id)s").format(
                    ident,
                    sql.SQL(", ").join(
                        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in values
                    ),
                ),
                {**values, "row_id": row_id},
            )


def snapshot(db, columns) -> dict:
    data = {}
    for table, cols in columns.items():
        names = sql.SQL(", ").join(sql.Identifier(c) for c, _ in cols)
        data[table] = db.execute(
            sql.SQL("SELECT id, {} FROM {} ORDER BY id").format(names, sql.Identifier("billing", table))
        ).fetchall()
    return data


def tables(db) -> set[tuple[str, str]]:
    return set(
        db.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema IN ('billing', 'qbo_sync')"
        ).fetchall()
    )


def by_id(db, table: str, row_id: int) -> dict:
    cur = db.execute(sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier("billing", table)), (row_id,))
    return dict(zip([c.name for c in cur.description], cur.fetchone(), strict=False))


def test_hostile_strings_in_every_text_column_are_carried_as_data(db, qbo_app, qbo_factory):
    build_au_tenant(db, qbo_app)
    add_payment_and_credit_note(db)
    columns = text_columns(db)
    assert {"tenants", "clients", "invoices", "invoice_lines", "payments", "credit_notes"} <= set(columns)
    assert VOCABULARY | SHORT_COLUMNS <= {(t, c) for t, cols in columns.items() for c, _ in cols}, (
        "a listed column no longer exists: update the lists"
    )
    make_hostile(db, columns)
    before_tables, before = tables(db), snapshot(db, columns)

    now = datetime.now(UTC)
    window = RunWindow(run_id="manual__hostile", start=now - timedelta(hours=1), end=now, full_sync=True)
    report, _ = pipeline.run_once(db, window, qbo_factory)

    # Nothing was dropped, altered or added by a string that looked like SQL.
    assert tables(db) == before_tables
    assert snapshot(db, columns) == before
    log = {
        (e, s): (status, ref, qbo_id)
        for e, s, status, ref, qbo_id in db.execute(
            "SELECT entity, source_id, status, source_ref, qbo_id FROM qbo_sync.sync_log WHERE run_id = %s",
            ("manual__hostile",),
        ).fetchall()
    }
    synced = {k: v[2] for k, v in log.items() if v[0] == "synced"}
    assert {
        ("invoice", 1),
        ("invoice", 2),
        ("invoice", 11),
        ("customer", 1),
        ("customer", 4),
        ("customer", 5),
        ("payment", 101),
        ("credit_memo", 1),
    } <= set(synced), log
    # The sync log names each invoice by its (hostile) number, unchanged.
    for (entity, source_id), (_, ref, _) in log.items():
        if entity == "invoice":
            assert ref == by_id(db, "invoices", source_id)["number"]

    with qbo_factory(1) as qbo:
        for (entity, source_id), qbo_id in synced.items():
            if entity == "customer":
                client = by_id(db, "clients", source_id)
                got = qbo.read("Customer", qbo_id)
                assert got["GivenName"] == client["first_name"]
                assert got["FamilyName"] == client["last_name"]
                assert got["CompanyName"] == client["company_name"]
                # QuickBooks refuses an address that is not one RFC 822 addr-spec (fault 2210):
                # since issue 20 such an address is left out (tenant policy 'omit', the default)
                # and the customer's sync-log row says so; a valid one is carried unchanged.
                if email_problem(client["email"]) is None:
                    assert got["PrimaryEmailAddr"]["Address"] == client["email"]
                else:
                    assert "PrimaryEmailAddr" not in got
                    note = db.execute(
                        "SELECT adjustments FROM qbo_sync.sync_log WHERE run_id = %s AND"
                        " entity = 'customer' AND source_id = %s",
                        ("manual__hostile", source_id),
                    ).fetchone()[0]
                    assert note.startswith("Synced without its e-mail address")
                assert got["PrimaryPhone"]["FreeFormNumber"] == client["phone"]
                assert got["DisplayName"].startswith(f"{client['first_name']} {client['last_name']} (")
            elif entity == "invoice":
                invoice = by_id(db, "invoices", source_id)
                got = qbo.read("Invoice", qbo_id)
                assert got["DocNumber"] == invoice["number"]
                assert got["CustomerMemo"]["value"] == invoice["notes"]
                lines = db.execute(
                    "SELECT l.description, c.name FROM billing.invoice_lines AS l"
                    " JOIN billing.catalog_items AS c ON c.id = l.item_id"
                    " WHERE l.invoice_id = %s ORDER BY l.position",
                    (source_id,),
                ).fetchall()
                descriptions = [
                    line["Description"] for line in got["Line"] if line.get("DetailType") == "SalesItemLineDetail"
                ]
                assert len(descriptions) == len(lines)
                for text, (description, item) in zip(descriptions, lines, strict=False):
                    assert text.startswith(f"{item} - {description}")
            elif entity == "payment":
                got = qbo.read("Payment", qbo_id)
                assert got["PaymentRefNum"] == by_id(db, "payments", source_id)["reference"]
            elif entity == "credit_memo":
                got = qbo.read("CreditMemo", qbo_id)
                line = by_id(db, "credit_note_lines", 1)
                assert [x["Description"] for x in got["Line"] if x.get("DetailType") == "SalesItemLineDetail"] == [
                    line["description"]
                ]
        # A second run looks every record up again by its hostile name and number in
        # QuickBooks' query language, and creates nothing new.
        counts = {e: qbo.count(f"select count(*) from {e}") for e in ("Customer", "Invoice", "Payment")}
    pipeline.run_once(
        db, RunWindow(run_id="manual__hostile_2", start=window.start, end=window.end, full_sync=True), qbo_factory
    )
    with qbo_factory(1) as qbo:
        assert {e: qbo.count(f"select count(*) from {e}") for e in counts} == counts
    assert snapshot(db, columns) == before and tables(db) == before_tables
    assert by_id(db, "tenants", 1)["name"] in report  # the report prints it as it is

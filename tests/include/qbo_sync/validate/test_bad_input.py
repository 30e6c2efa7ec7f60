"""Bad input never crashes a run (issue 8): Hypothesis writes whole source rows for one or
two tenants, the real pipeline runs them against the emulator, and then

* the run did not raise;
* every staged record has exactly one outcome in the run, and a failure names a cause
  and a fix from our own catalog: checked before sending, not a QuickBooks fault;
* QuickBooks answered no request with an error, and nothing it stored breaks a
  documented limit (checked here from Intuit's API reference, not with the product's constants);
* records the test knows to be clean land, at the app's total.

The limits below are restated from Intuit's API reference (the entity pages' field rules) on
purpose, so that a wrong limit in the product is caught here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qbo_devkit.provision import provision_tenant
from qbo_sync.catalog import CATALOG
from qbo_sync.extract.records import RunWindow
from qbo_sync.pipeline import run_once
from support.rows import insert, truncate_all

# --- QuickBooks' documented limits (Intuit's API reference, field rules) ------------------------------
DOC_NUMBER_MAX = 21
DISPLAY_NAME_MAX = 500
PERSON_NAME_MAX = 100
EMAIL_MAX = 100
DESCRIPTION_MAX = 4000
CUSTOMER_MEMO_MAX = 1000
PAYMENT_REF_MAX = 21
RUN_COST = 3  # one example is a whole run against the emulator: about a second

# numeric(12,4) and numeric(12,2): the largest values the billing schema can hold.
Q4_MAX = D("99999999.9999")
Q2_MAX = D("9999999999.99")
CENT = D("0.01")

NOW = datetime.now(UTC)
CONNECTED = NOW - timedelta(days=30)
RATES = {"GST": D("0.1000"), "GST free": D("0.0000"), "Mystery levy": D("0.0500")}
MAPPED = {"GST": "GST", "GST free": "GST free"}


def cents(value: D) -> D:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- strategies -----------------------------------------------------------------------------
# Postgres text refuses NUL and lone surrogates; everything else is fair game.
CHARS = st.characters(codec="utf-8", exclude_characters="\x00")
NASTY = [
    "O'Brien",
    'Say "hi"',
    "Robert'); DROP TABLE billing.clients;--",
    "x' OR '1'='1",
    "Smith: Jones",
    "a:b:c",
    "José Müller",
    "😀🎉",
    "名前",
    "\\",
    "back\\'slash",
    "%s %(id)s",
    "{name} {tag}",
    "{0}",
    "\t tabbed \n name \r",
    "\u200b",
    "١٢٣",
    "1e400",
    "NaN",
    "-0",
    "12.50",
]


def long_text(min_size: int, max_size: int = 10_000) -> st.SearchStrategy[str]:
    # Built, not drawn character by character: a 10,000-character draw is slow to shrink.
    return st.tuples(st.integers(min_size, max_size), st.sampled_from(["é😀x", "ab'c", "z", ": "])).map(
        lambda t: (t[1] * t[0])[: t[0]]
    )


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    return st.one_of(st.text(CHARS, max_size=max_size), st.sampled_from(NASTY))


NAMES = st.one_of(st.none(), texts(), long_text(101, 600), long_text(10_000))
GOOD_NAME = st.one_of(
    st.sampled_from(
        ["Jane", "Smith", "O'Brien", "José 😀", "Smith: Jones", "Robert'); DROP TABLE billing.clients;--", "名前"]
    ),
    st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S"]), min_size=1, max_size=20),
)
NUMBERS = st.one_of(
    st.text(CHARS, max_size=25), st.sampled_from(NASTY), long_text(22, 10_000), st.just("INV-1"), st.just("inv-1")
)
QTY = st.one_of(
    st.decimals(D("0.0001"), D("50"), places=4),
    st.sampled_from([D(0), D(-1), D("-2.5"), Q4_MAX, -Q4_MAX, D("0.0001")]),
    st.decimals(-Q4_MAX, Q4_MAX, places=4),
)
PRICE = st.one_of(
    st.decimals(D("0.01"), D("500"), places=2),
    st.sampled_from([D(0), D(-10), Q4_MAX, -Q4_MAX, D("0.0001")]),
    st.decimals(-Q4_MAX, Q4_MAX, places=4),
)
DISCOUNT_KIND = st.one_of(
    st.none(), st.sampled_from(["fixed", "percent"]), st.sampled_from(["10%", "PERCENT", "", "12.5", "fixed "])
)
DISCOUNT_VALUE = st.one_of(st.none(), st.decimals(D(0), D(100), places=2), st.sampled_from([D(-5), D(150), Q4_MAX]))
# The source contract's statuses, and what an app might write instead (issue: an invoice
# with any other status was never staged, so it silently never synced).
STATUSES_DRAWN = ["draft", "voided", "Finalized", "final", " finalized", "FINALIZED", ""]
TAX_MODES = st.one_of(
    st.sampled_from(["exclusive", "inclusive", "none"]),
    st.sampled_from(["Exclusive", "10", "", "gst", "exclusive "]),
    st.none(),
)


@dataclass
class Client:
    id: int
    first: str | None
    last: str | None
    company: str | None
    email: str | None
    phone: str | None
    parent: int | None


@dataclass
class Line:
    qty: D | None
    price: D | None
    kind: str | None
    disc: D | None
    rate: str | None  # a tax rate name of this tenant, "other tenant", "unknown", or None
    description: str | None
    item: str  # service | product | missing
    amount_error: D = D(0)


@dataclass
class Invoice:
    id: int
    number: str | None
    client: int | None
    mode: str | None
    lines: list[Line]
    notes: str | None
    historical: bool
    total_error: D = D(0)
    status: str = "finalized"


@dataclass
class Payment:
    id: int
    invoice: int | None
    amount: D | None
    method: str | None
    reference: str | None


@dataclass
class CreditNote:
    id: int
    number: str | None
    invoice: int | None
    lines: list[tuple[str | None, D | None]]
    status: str = "finalized"


@dataclass
class Tenant:
    id: int
    clients: list[Client] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)
    orphan_lines: int = 0


def base(tenant_id: int) -> int:
    return tenant_id * 10_000


# Each record is either well formed in every field, or has one or two defects drawn on
# purpose; otherwise nearly every invoice would be broken several ways at once and the
# interesting combinations (a clean invoice whose only fault is a negative total) would
# hardly ever be tried.
CLIENT_DEFECTS = ["name", "email", "parent"]
INVOICE_DEFECTS = ["number", "client", "mode", "lines", "total", "historical", "status"]


def defects(kinds: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.one_of(st.just(frozenset()), st.frozensets(st.sampled_from(kinds), min_size=1, max_size=2))


@st.composite
def clients(draw, tenant_id: int) -> list[Client]:
    n = draw(st.integers(1, 4))
    ids = [base(tenant_id) + i for i in range(1, n + 1)]
    other_tenant = base(3 - tenant_id) + 1
    result = []
    for cid in ids:
        bad = draw(defects(CLIENT_DEFECTS))
        first = draw(NAMES if "name" in bad else GOOD_NAME)
        last = draw(NAMES if "name" in bad else GOOD_NAME)
        company = draw(st.one_of(st.none(), texts(), long_text(101, 10_000)))
        email = draw(
            st.one_of(st.none(), texts(), long_text(101, 400)) if "email" in bad else st.one_of(st.none(), st.emails())
        )
        phone = draw(st.one_of(st.none(), texts(), st.sampled_from(["+61 2 9999 0000", "call me", "0" * 40])))
        earlier = [i for i in ids if i < cid]
        parent = draw(
            st.one_of(st.sampled_from(ids), st.just(other_tenant), st.just(base(tenant_id) + 999))
            if "parent" in bad
            else st.one_of(st.none(), st.sampled_from(earlier))
            if earlier
            else st.none()
        )
        result.append(Client(cid, first, last, company, email, phone, parent))
    return result


GOOD_QTY = st.one_of(
    st.decimals(D("0.0001"), D("50"), places=4),
    st.integers(1, 10).map(D),
    st.sampled_from([D(0), D(-1), D("-2.5"), D("0.0001"), D("99999")]),
)
GOOD_PRICE = st.one_of(
    st.decimals(D("0.01"), D("500"), places=2), st.sampled_from([D(0), D(-10), D("0.0001"), D("99999999.9999")])
)


@st.composite
def line(draw, bad: bool) -> Line:
    if not bad:
        kind = draw(st.sampled_from([None, None, "fixed", "percent"]))
        return Line(
            qty=draw(GOOD_QTY),
            price=draw(GOOD_PRICE),
            kind=kind,
            disc=draw(st.decimals(D(0), D(100), places=2)) if kind else None,
            rate=draw(st.sampled_from(["GST", "GST", "GST free", None])),
            description=draw(st.one_of(st.none(), texts(), long_text(3990, 10_000))),
            item=draw(st.sampled_from(["service", "product", "missing"])),
        )
    return Line(
        qty=draw(st.one_of(QTY, st.none())),
        price=draw(st.one_of(PRICE, st.none())),
        kind=draw(DISCOUNT_KIND),
        disc=draw(DISCOUNT_VALUE),
        rate=draw(st.sampled_from(["GST", "GST free", None, "Mystery levy", "other tenant", "unknown"])),
        description=draw(st.one_of(st.none(), texts(), long_text(3990, 10_000))),
        item=draw(st.sampled_from(["service", "product", "missing"])),
        amount_error=draw(st.sampled_from([D(0), D("0.01"), D(-5)])),
    )


@st.composite
def tenants(draw) -> list[Tenant]:
    result = []
    count = draw(st.integers(1, 2))
    numbers_used: list[str | None] = []
    for tid in range(1, count + 1):
        t = Tenant(tid, clients=draw(clients(tid)))
        client_ids = [c.id for c in t.clients]
        for i in range(1, draw(st.integers(1, 5)) + 1):
            bad = draw(defects(INVOICE_DEFECTS))
            if "number" in bad:
                # Reuse a number: the same invoice number in the other tenant, or twice in one.
                number = draw(st.one_of(NUMBERS, st.sampled_from(numbers_used)) if numbers_used else NUMBERS)
            else:
                number = draw(
                    st.one_of(
                        st.just(f"INV-{tid}{i:03d}"),
                        st.just(f"{i}"),
                        st.text(CHARS, min_size=1, max_size=21).filter(str.strip).map(lambda n, i=i: f"{n[:17]}#{i}"),
                    )
                )
            numbers_used.append(number)
            n_lines = draw(st.integers(0 if "lines" in bad else 1, 4))
            lines = [draw(line(bad="lines" in bad and draw(st.booleans()))) for _ in range(n_lines)]
            t.invoices.append(
                Invoice(
                    id=base(tid) + i,
                    number=number,
                    client=draw(
                        st.one_of(
                            st.sampled_from(client_ids), st.none(), st.just(base(tid) + 998), st.just(base(3 - tid) + 1)
                        )
                        if "client" in bad
                        else st.sampled_from(client_ids)
                    ),
                    mode=draw(TAX_MODES if "mode" in bad else st.sampled_from(["exclusive", "inclusive", "none"])),
                    lines=lines,
                    notes=draw(st.one_of(st.none(), texts(), long_text(1001, 10_000))),
                    historical="historical" in bad,
                    total_error=draw(st.sampled_from([D("0.01"), D(-1)])) if "total" in bad else D(0),
                    status=draw(st.sampled_from(STATUSES_DRAWN)) if "status" in bad else "finalized",
                )
            )
        invoice_ids = [i.id for i in t.invoices]
        for j in range(1, draw(st.integers(0, 3)) + 1):
            t.payments.append(
                Payment(
                    id=base(tid) + j,
                    invoice=draw(
                        st.one_of(
                            st.sampled_from(invoice_ids),
                            st.sampled_from(invoice_ids),
                            st.just(base(tid) + 997),
                            st.just(base(3 - tid) + 1),
                        )
                    ),
                    amount=draw(
                        st.one_of(
                            st.decimals(D("0.01"), D("50"), places=2),
                            st.decimals(D("0.01"), D("20"), places=2),
                            st.sampled_from([D(0), D(-10), Q2_MAX, None]),
                        )
                    ),
                    method=draw(
                        st.one_of(
                            st.sampled_from(["cash", "card", "cheque", "bank_transfer", "other"]), texts(10), st.none()
                        )
                    ),
                    reference=draw(st.one_of(st.none(), texts(21), texts(21), long_text(22, 400))),
                )
            )
        for k in range(1, draw(st.integers(0, 2)) + 1):
            t.credit_notes.append(
                CreditNote(
                    id=base(tid) + k,
                    number=draw(st.one_of(st.none(), texts(21), long_text(22, 300))),
                    invoice=draw(st.one_of(st.sampled_from(invoice_ids), st.just(base(tid) + 996))),
                    lines=draw(
                        st.lists(
                            st.tuples(
                                st.one_of(st.none(), texts(), long_text(4001, 10_000)),
                                st.one_of(
                                    st.decimals(D("0.01"), D("50"), places=2), st.sampled_from([D(0), D(-5), None])
                                ),
                            ),
                            max_size=3,
                        )
                    ),
                    status=draw(st.one_of(st.just("finalized"), st.just("finalized"), st.sampled_from(STATUSES_DRAWN))),
                )
            )
        t.orphan_lines = draw(st.integers(0, 2))
        result.append(t)
    return result


# --- writing the rows, with the app's own arithmetic ---------------------------------------


def line_amount(line: Line) -> D | None:
    if line.qty is None or line.price is None:
        return None
    gross = line.qty * line.price
    if line.kind == "fixed" and line.disc is not None:
        gross -= line.disc
    elif line.kind == "percent" and line.disc is not None:
        gross -= gross * line.disc / 100
    return cents(gross)


def fits(value: D | None, maximum: D) -> bool:
    return value is None or abs(value) <= maximum


def write_tenant(db, qbo_app, t: Tenant) -> dict[str, Any]:
    """Insert one tenant's rows; returns the ids the test expects to land, per entity."""
    tid, b = t.id, base(t.id)
    insert(db, "billing.tenants", id=tid, name=f"Practice {tid}", currency="AUD", timezone="Australia/Sydney")
    rate_ids = {}
    for n, (name, rate) in enumerate(RATES.items(), start=1):
        rate_ids[name] = b + n
        insert(db, "billing.tax_rates", id=b + n, tenant_id=tid, name=name, rate=rate)
    rate_ids["other tenant"] = base(3 - tid) + 1
    rate_ids["unknown"] = b + 99
    items = {"service": b + 1, "product": b + 2, "missing": b + 99}
    insert(db, "billing.catalog_items", id=b + 1, tenant_id=tid, name="Consult", kind="service", unit_price=D("90"))
    insert(db, "billing.catalog_items", id=b + 2, tenant_id=tid, name="Knee brace", kind="product", unit_price=D("45"))
    for c in t.clients:
        insert(
            db,
            "billing.clients",
            id=c.id,
            tenant_id=tid,
            first_name=c.first,
            last_name=c.last,
            company_name=c.company,
            email=c.email,
            phone=c.phone,
            parent_client_id=c.parent,
        )
    provision_tenant(db, qbo_app, tid, region="AU", connected_at=CONNECTED, tax_map=MAPPED)

    good_clients = _good_clients(t)
    numbers = defaultdict(int)
    for inv in t.invoices:
        if inv.status in ("finalized", "voided") and inv.number is not None:
            numbers[inv.number.lower()] += 1
    # "invoice"/"payment"/"credit_memo": must land; "bad invoice": must not (failed or skipped).
    expected: dict[str, set[int]] = {"invoice": set(), "payment": set(), "credit_memo": set(), "bad invoice": set()}
    totals: dict[int, D] = {}
    for inv in t.invoices:
        clean = (
            inv.client in good_clients
            and inv.number is not None
            and inv.number.strip()
            and len(inv.number) <= DOC_NUMBER_MAX
            and numbers[inv.number.lower()] == 1
            and inv.mode in ("exclusive", "inclusive", "none")
            and bool(inv.lines)
            and not inv.historical
            and inv.status == "finalized"
            and not inv.total_error
        )
        groups: dict[str | None, D] = defaultdict(D)
        for pos, line in enumerate(inv.lines, start=1):
            amount = line_amount(line)
            if amount is not None:
                amount += line.amount_error
            if not fits(amount, Q2_MAX):
                amount, clean = D(0), False  # the app could not have stored it
            clean = (
                clean
                and amount is not None
                and line.kind in (None, "fixed", "percent")
                and (line.rate in (None, "GST", "GST free"))
                and not line.amount_error
            )
            if amount is not None:
                groups[line.rate] += amount
            insert(
                db,
                "billing.invoice_lines",
                id=inv.id * 10 + pos,
                invoice_id=inv.id,
                position=pos,
                item_id=items[line.item],
                description=line.description,
                quantity=line.qty,
                unit_price=line.price,
                discount_kind=line.kind,
                discount_value=line.disc,
                tax_rate_id=rate_ids.get(line.rate),
                amount=amount,
            )
        sub = sum(groups.values(), D("0.00"))
        tax = D("0.00")
        for name, g in groups.items():
            rate = RATES.get(name or "", D(0))
            if inv.mode == "inclusive":
                tax += cents(g * rate / (1 + rate))
            elif inv.mode != "none":
                tax += cents(g * rate)
        total = sub if inv.mode == "inclusive" else sub + tax
        if inv.mode == "inclusive":
            sub -= tax
        total += inv.total_error
        if not all(fits(v, Q2_MAX) for v in (sub, tax, total)):
            sub, tax, total, clean = D(0), D(0), D(1), False
        clean = clean and total >= 0
        finalized = CONNECTED - timedelta(days=2) if inv.historical else NOW - timedelta(hours=1)
        insert(
            db,
            "billing.invoices",
            id=inv.id,
            tenant_id=tid,
            number=inv.number,
            client_id=inv.client,
            status=inv.status,
            issue_date=date.today(),
            tax_mode=inv.mode,
            currency="AUD",
            subtotal=sub,
            tax_total=tax,
            total=total,
            notes=inv.notes,
            origin="app",
            finalized_at=finalized,
            updated_at=finalized,
        )
        totals[inv.id] = total
        if clean:
            expected["invoice"].add(inv.id)
        elif inv.status not in ("draft", "voided"):  # staged, so it must fail or be skipped
            expected["bad invoice"].add(inv.id)
    for n in range(t.orphan_lines):  # lines of an invoice that does not exist
        insert(
            db,
            "billing.invoice_lines",
            id=b * 10 + 9000 + n,
            invoice_id=b + 9000 + n,
            position=1,
            description="orphan",
            quantity=D(1),
            unit_price=D(1),
            amount=D(1),
        )
    paid: dict[int, D] = defaultdict(D)
    for p in t.payments:
        insert(
            db,
            "billing.payments",
            id=p.id,
            tenant_id=tid,
            invoice_id=p.invoice,
            amount=p.amount,
            paid_at=NOW - timedelta(minutes=5),
            method=p.method,
            reference=p.reference,
            origin="app",
            created_at=NOW - timedelta(minutes=5),
        )
        if (
            p.invoice in expected["invoice"]
            and p.amount is not None
            and p.amount > 0
            and (p.reference is None or len(p.reference) <= PAYMENT_REF_MAX)
            and paid[p.invoice] + p.amount <= totals[p.invoice]
        ):
            paid[p.invoice] += p.amount
            expected["payment"].add(p.id)
    for n in t.credit_notes:
        total = sum((a for _, a in n.lines if a is not None), D("0.00"))
        if (
            n.invoice in expected["invoice"]
            and n.lines
            and all(a is not None and a > 0 for _, a in n.lines)
            and (n.number is None or len(n.number) <= DOC_NUMBER_MAX)
            and n.status == "finalized"
        ):
            expected["credit_memo"].add(n.id)
        insert(
            db,
            "billing.credit_notes",
            id=n.id,
            tenant_id=tid,
            number=n.number,
            invoice_id=n.invoice,
            client_id=None,
            issue_date=date.today(),
            status=n.status,
            total=total,
            finalized_at=NOW - timedelta(minutes=5),
            updated_at=NOW - timedelta(minutes=5),
        )
        for k, (desc, amount) in enumerate(n.lines, start=1):
            insert(
                db,
                "billing.credit_note_lines",
                id=n.id * 10 + k,
                credit_note_id=n.id,
                description=desc,
                amount=amount,
                tax_rate_id=rate_ids["GST"],
            )
    return expected


def _good_clients(t: Tenant) -> set[int]:
    """Clients QuickBooks can take: a name (first and last, or a company), a short enough
    e-mail, and a parent chain that ends in this tenant without a loop."""
    by_id = {c.id: c for c in t.clients}

    def clean(v: str | None) -> str:
        return " ".join((v or "").split())

    def fine(c: Client) -> bool:
        named = bool((clean(c.first) and clean(c.last)) or clean(c.company))
        return named and len((c.email or "").strip()) <= EMAIL_MAX

    good = set()
    for c in t.clients:
        seen, node, ok = set(), c, True
        while node is not None:
            if node.id in seen or not fine(node):
                ok = False
                break
            seen.add(node.id)
            if node.parent is None:
                break
            node = by_id.get(node.parent)
            if node is None:
                ok = False
        if ok:
            good.add(c.id)
    return good


# --- checking what QuickBooks holds against the documented limits ---------------------------


def limit_breaches(entity: str, row: dict[str, Any]) -> list[str]:
    problems = []

    def too_long(label: str, value: Any, maximum: int) -> None:
        if isinstance(value, str) and len(value) > maximum:
            problems.append(f"{entity} {row.get('Id')}: {label} has {len(value)} > {maximum}")

    if entity == "Customer":
        too_long("DisplayName", row.get("DisplayName"), DISPLAY_NAME_MAX)
        if ":" in (row.get("DisplayName") or ""):
            problems.append(f"Customer {row.get('Id')}: colon in DisplayName")
        for key in ("GivenName", "FamilyName", "CompanyName"):
            too_long(key, row.get(key), PERSON_NAME_MAX)
        too_long("email", (row.get("PrimaryEmailAddr") or {}).get("Address"), EMAIL_MAX)
        if not (row.get("DisplayName") or "").strip():
            problems.append(f"Customer {row.get('Id')}: no name")
    if entity in ("Invoice", "CreditMemo"):
        too_long("DocNumber", row.get("DocNumber"), DOC_NUMBER_MAX)
        too_long("CustomerMemo", (row.get("CustomerMemo") or {}).get("value"), CUSTOMER_MEMO_MAX)
        sales = [ln for ln in row.get("Line", []) if ln.get("DetailType") == "SalesItemLineDetail"]
        if not sales:
            problems.append(f"{entity} {row.get('Id')}: no lines")
        for line in sales:
            too_long("Line.Description", line.get("Description"), DESCRIPTION_MAX)
            detail = line["SalesItemLineDetail"]
            amount = D(str(line["Amount"]))
            if amount != cents(amount):
                problems.append(f"{entity} {row.get('Id')}: amount {amount} has sub-cent digits")
            qty, price = detail.get("Qty"), detail.get("UnitPrice")
            if qty is not None and price is not None and cents(D(str(qty)) * D(str(price))) != amount:
                problems.append(f"{entity} {row.get('Id')}: Amount {amount} != Qty x UnitPrice")
            if not (detail.get("TaxCodeRef") or {}).get("value"):
                problems.append(f"{entity} {row.get('Id')}: a line without a tax code (AU)")
        if D(str(row.get("TotalAmt", 0))) < 0:
            problems.append(f"{entity} {row.get('Id')}: negative total")
    if entity == "Payment":
        too_long("PaymentRefNum", row.get("PaymentRefNum"), PAYMENT_REF_MAX)
        if D(str(row.get("TotalAmt", 0))) < 0:
            problems.append(f"Payment {row.get('Id')}: negative amount")
    return problems


def check_run(
    db, qbo_app, qbo_factory, model: list[Tenant], expected: dict[int, dict[str, set[int]]], run_id: str
) -> None:
    staged = {
        r[:3]
        for r in db.execute(
            "SELECT tenant_id, entity, source_id FROM qbo_sync.run_items WHERE run_id = %s", (run_id,)
        ).fetchall()
    }
    logged = db.execute(
        "SELECT tenant_id, entity, source_id, status, error_code, cause, fix FROM qbo_sync.sync_log WHERE run_id = %s",
        (run_id,),
    ).fetchall()
    keys = [r[:3] for r in logged]
    assert len(keys) == len(set(keys)), "a record has two outcomes in one run"
    assert set(keys) == staged, staged ^ set(keys)
    by_key = {r[:3]: r[3:] for r in logged}
    for key, (status, code, cause, fix) in by_key.items():
        if status == "failed":
            assert cause and fix, key
            # Ours, decided before sending: never a QuickBooks fault or a catch-all.
            assert code in CATALOG, (key, code, cause)
    for t in model:
        realm = db.execute("SELECT realm_id FROM qbo_sync.tenant_connections WHERE tenant_id = %s", (t.id,)).fetchone()[
            0
        ]
        errors = [r for r in qbo_app.requests_log(realm) if (r["status"] or 0) >= 400]
        assert not errors, errors
        with qbo_factory(t.id) as client:
            books = {e: client.query(f"select * from {e}") for e in ("Customer", "Invoice", "Payment", "CreditMemo")}
        for entity, rows in books.items():
            for row in rows:
                assert not limit_breaches(entity, row), limit_breaches(entity, row)
        landed = {r["PrivateNote"].split("]")[0] for r in books["Invoice"]}
        for iid in expected[t.id]["bad invoice"]:
            assert by_key.get((t.id, "invoice", iid), ("failed",))[0] in ("failed", "skipped"), (
                iid,
                by_key.get((t.id, "invoice", iid)),
            )
        for entity, ids in expected[t.id].items():
            if entity == "bad invoice":
                continue
            for sid in ids:
                assert by_key.get((t.id, entity, sid), ("missing",))[0] == "synced", (
                    entity,
                    sid,
                    by_key.get((t.id, entity, sid)),
                )
        for iid in expected[t.id]["invoice"]:
            assert f"[qbo-sync invoice {iid}" in landed
            total = db.execute("SELECT total FROM billing.invoices WHERE id = %s", (iid,)).fetchone()[0]
            got = next(r for r in books["Invoice"] if f"[qbo-sync invoice {iid}]" in r["PrivateNote"])
            assert D(str(got["TotalAmt"])) == total, (iid, got["TotalAmt"], total)
    return by_key


def run_model(db, qbo_app, qbo_factory, model: list[Tenant]) -> dict[tuple, tuple]:
    truncate_all(db)  # one database for every example: start each from empty tables
    expected = {t.id: write_tenant(db, qbo_app, t) for t in model}
    now = datetime.now(UTC)
    window = RunWindow("fuzz-run", now - timedelta(hours=2), now + timedelta(minutes=1), full_sync=True)
    run_once(db, window, qbo_factory)  # must not raise, whatever the rows hold
    return check_run(db, qbo_app, qbo_factory, model, expected, "fuzz-run")


# --- the explicit cases: one per item of the issue, so each is certainly covered -------------


def _t(tid=1, clients=None, invoices=(), payments=(), credit_notes=(), orphan_lines=0) -> Tenant:
    return Tenant(
        tid,
        clients=clients or [Client(base(tid) + 1, "Jane", "Smith", None, None, None, None)],
        invoices=list(invoices),
        payments=list(payments),
        credit_notes=list(credit_notes),
        orphan_lines=orphan_lines,
    )


def _line(qty="1", price="10.00", kind=None, disc=None, rate="GST", description="Consult", item="service") -> Line:
    return Line(
        None if qty is None else D(qty),
        None if price is None else D(price),
        kind,
        None if disc is None else D(disc),
        rate,
        description,
        item,
    )


def _inv(iid, number="INV-1", client=10_001, lines=None, mode="exclusive", notes=None, status="finalized") -> Invoice:
    return Invoice(iid, number, client, mode, [_line()] if lines is None else lines, notes, False, status=status)


INV, CUS, PAY, CRN = "invoice", "customer", "payment", "credit_memo"
# case -> (tenants, {(tenant, entity, source id): the outcome code expected; None = synced})
EXAMPLES: dict[str, tuple[list[Tenant], dict[tuple[int, str, int], str | None]]] = {
    "unicode and emoji names": (
        [
            _t(
                clients=[Client(10_001, "Zoë 😀", "Ng 名前", "Café ☕", None, None, None)],
                invoices=[_inv(10_001, "№-😀-1")],
            )
        ],
        {(1, CUS, 10_001): None, (1, INV, 10_001): None},
    ),
    "10,000-character descriptions": (
        [
            _t(
                invoices=[_inv(10_001, lines=[_line(description="é😀x" * 3334)], notes="n" * 10_000)],
                credit_notes=[CreditNote(10_001, "CN-1", 10_001, [("d" * 10_000, D("1.00"))])],
            )
        ],
        {(1, INV, 10_001): None, (1, CRN, 10_001): None},
    ),
    "quotes and SQL in names": (
        [
            _t(
                clients=[
                    Client(
                        10_001,
                        "O'Brien",
                        "Robert'); DROP TABLE billing.clients;--",
                        'Say "hi": Ltd \\',
                        "x'@example.com",
                        None,
                        None,
                    )
                ],
                invoices=[_inv(10_001, "INV'1;--"), _inv(10_002, "INV\\2")],
                payments=[Payment(10_001, 10_001, D("1.00"), "cash", "'; DELETE FROM x;--")],
            )
        ],
        {(1, CUS, 10_001): None, (1, INV, 10_001): None, (1, INV, 10_002): None, (1, PAY, 10_001): None},
    ),
    "zero quantities and prices": (
        [
            _t(
                invoices=[
                    _inv(10_001, lines=[_line(qty="0"), _line(price="0", item="product")]),
                    _inv(10_002, "INV-2", lines=[_line(qty="0", kind="fixed", disc="5")]),
                ]
            )
        ],
        {(1, INV, 10_001): None, (1, INV, 10_002): "negative_total"},
    ),
    "negative quantities and prices": (
        [
            _t(
                invoices=[
                    _inv(10_001, "NEG-1", lines=[_line(qty="-1")]),
                    _inv(10_002, "NEG-2", lines=[_line(qty="2"), _line(price="-5.00")]),
                    _inv(10_003, "NEG-3", lines=[_line(kind="percent", disc="150")]),
                ],
                payments=[Payment(10_001, 10_002, D("-1.00"), "cash", "p-neg")],
                credit_notes=[CreditNote(10_001, "CN-NEG", 10_002, [("x", D("-5.00"))])],
            )
        ],
        {
            (1, INV, 10_001): "negative_total",
            (1, INV, 10_002): None,
            (1, INV, 10_003): "negative_total",
            (1, PAY, 10_001): "payment_amount_invalid",
            (1, CRN, 10_001): "credit_note_amount_invalid",
        },
    ),
    "huge quantities and prices": (
        [
            _t(
                invoices=[
                    _inv(10_001, "HUGE-1", lines=[_line(str(Q4_MAX), str(Q4_MAX))]),
                    _inv(10_002, "HUGE-2", lines=[_line("1", str(Q4_MAX))]),
                    _inv(10_003, "TINY-3", lines=[_line("0.0001", "0.0001")]),
                ],
                payments=[Payment(10_001, 10_002, Q2_MAX, "card", "big")],
            )
        ],
        {
            (1, INV, 10_001): "line_amount_mismatch",
            (1, INV, 10_002): None,
            (1, INV, 10_003): None,
            (1, PAY, 10_001): None,  # an overpayment: sent, its excess unapplied credit (issue 13)
        },
    ),
    "text where numbers belong": (
        [
            _t(
                clients=[Client(10_001, "Jane", "Smith", None, None, "call after 5pm", None)],
                invoices=[
                    _inv(10_001, "12.50", mode="10"),
                    _inv(10_002, "١٢٣", lines=[_line(kind="10%", disc="10")]),
                    _inv(10_003, "NULLS", lines=[_line(None, None)]),
                    _inv(10_004, "1e400"),
                ],
                payments=[Payment(10_001, 10_004, D("5.00"), "12", "1e400")],
            )
        ],
        {
            (1, CUS, 10_001): None,
            (1, INV, 10_001): "unknown_tax_mode",
            (1, INV, 10_002): "unknown_discount_kind",
            (1, INV, 10_003): "line_values_missing",
            (1, INV, 10_004): None,
            (1, PAY, 10_001): None,
        },
    ),
    "missing clients": (
        [
            _t(
                clients=[
                    Client(10_001, "Jane", "Smith", None, None, None, None),
                    Client(10_002, None, "   ", None, None, None, None),
                    Client(10_003, "Sub", "Client", None, None, None, 10_999),
                ],
                invoices=[
                    _inv(10_001, client=None),
                    _inv(10_002, "INV-2", client=10_999),
                    _inv(10_003, "INV-3", client=20_001),
                    _inv(10_004, "INV-4", client=10_002),
                    _inv(10_005, "INV-5", client=10_003),
                ],
            )
        ],
        {
            (1, INV, 10_001): "client_not_set",
            (1, INV, 10_002): "client_missing",
            (1, INV, 10_003): "client_missing",
            (1, CUS, 10_002): "client_without_name",
            (1, INV, 10_004): "client_not_synced",
            (1, CUS, 10_003): "parent_client_not_synced",
            (1, INV, 10_005): "client_not_synced",
        },
    ),
    "orphan lines": (
        [
            _t(
                invoices=[_inv(10_001, lines=[_line(item="missing")])],
                orphan_lines=2,
                payments=[Payment(10_001, 10_997, D("5.00"), "cash", None)],
                credit_notes=[CreditNote(10_001, "CN-1", 10_996, [("x", D("1.00"))])],
            )
        ],
        {
            (1, INV, 10_001): None,
            (1, PAY, 10_001): "payment_invoice_missing",
            (1, CRN, 10_001): "credit_note_invoice_missing",
        },
    ),
    "unknown tax modes": (
        [
            _t(
                invoices=[
                    _inv(10_001, mode="GST"),
                    _inv(10_002, "INV-2", mode=None),
                    _inv(10_003, "INV-3", mode=""),
                    _inv(10_004, "INV-4", lines=[_line(rate="unknown")]),
                    _inv(10_005, "INV-5", lines=[_line(rate="Mystery levy")]),
                ]
            )
        ],
        {
            (1, INV, 10_001): "unknown_tax_mode",
            (1, INV, 10_002): "unknown_tax_mode",
            (1, INV, 10_003): "unknown_tax_mode",
            (1, INV, 10_004): "tax_rate_not_mapped",
            (1, INV, 10_005): "tax_rate_not_mapped",
        },
    ),
    "the same invoice number in two tenants": (
        [
            _t(1, invoices=[_inv(10_001, "INV-1"), _inv(10_002, "inv-1")]),
            _t(2, invoices=[_inv(20_001, "INV-1", client=20_001)]),
        ],
        {
            (1, INV, 10_001): "number_duplicate_in_run",
            (1, INV, 10_002): "number_duplicate_in_run",
            (2, INV, 20_001): None,
        },
    ),
    "sub-client loops": (
        [
            _t(
                clients=[
                    Client(10_001, "A", "A", None, None, None, 10_002),
                    Client(10_002, "B", "B", None, None, None, 10_001),
                    Client(10_003, "C", "C", None, None, None, 10_003),
                ],
                invoices=[_inv(10_001), _inv(10_003, "INV-3", client=10_003)],
            )
        ],
        {
            (1, CUS, 10_001): "parent_client_loop",
            (1, CUS, 10_002): "parent_client_loop",
            (1, CUS, 10_003): "parent_client_loop",
            (1, INV, 10_001): "client_not_synced",
        },
    ),
    "unsendable credit notes and payments": (
        [
            _t(
                invoices=[_inv(10_001)],
                payments=[
                    Payment(10_001, 10_001, D("999.00"), "cash", "p1"),
                    Payment(10_002, 10_001, D("10.00"), "cash", "p2"),
                    Payment(10_003, 10_001, D("1.50"), "cash", "p3"),
                    Payment(10_004, 10_001, D("1.00"), "cash", "r" * 400),
                    Payment(10_005, 10_001, None, "cash", "p5"),
                ],
                credit_notes=[
                    CreditNote(10_001, "C" * 40, 10_001, [("x", D("1.00"))]),
                    CreditNote(10_002, "CN-2", 10_001, []),
                ],
            )
        ],
        {
            # Overpayments go, the excess left unapplied as customer credit (issue 13).
            (1, PAY, 10_001): None,
            (1, PAY, 10_002): None,
            (1, PAY, 10_003): None,
            (1, PAY, 10_004): "payment_reference_too_long",
            (1, PAY, 10_005): "payment_amount_invalid",
            (1, CRN, 10_001): "credit_note_number_too_long",
            (1, CRN, 10_002): "credit_note_no_lines",
        },
    ),
    "statuses outside the source contract": (
        [
            _t(
                invoices=[
                    _inv(10_001),
                    _inv(10_002, "INV-2", status="Finalized"),
                    _inv(10_003, "INV-3", status="final"),
                    _inv(10_004, "INV-4", status=""),
                    _inv(10_005, "INV-5", status=" finalized"),
                ],
                credit_notes=[
                    CreditNote(10_001, "CN-1", 10_001, [("x", D("1.00"))], status="Finalized"),
                    CreditNote(10_002, "CN-2", 10_001, [("x", D("1.00"))], status=""),
                    CreditNote(10_003, "CN-3", 10_001, [("x", D("1.00"))]),
                ],
            )
        ],
        {
            (1, INV, 10_001): None,
            (1, INV, 10_002): "invoice_status_unknown",
            (1, INV, 10_003): "invoice_status_unknown",
            (1, INV, 10_004): "invoice_status_unknown",
            (1, INV, 10_005): "invoice_status_unknown",
            (1, CRN, 10_001): "credit_note_status_unknown",
            (1, CRN, 10_002): "credit_note_status_unknown",
            (1, CRN, 10_003): None,
        },
    ),
}


def _with_examples(test):
    for model, _codes in EXAMPLES.values():
        test = example(model=model)(test)
    return test


# The profile (examples, derandomize, no database) comes from tests/conftest.py: bounded in
# `make test`, larger with --runslow. Each example is a whole run, so this suite takes a
# fraction of the profile's examples.
@_with_examples
@settings(
    max_examples=max(1, settings.default.max_examples // RUN_COST),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(model=tenants())
def test_bad_rows_never_crash_a_run_and_each_gets_a_clear_outcome(db, qbo_app, qbo_factory, model):
    run_model(db, qbo_app, qbo_factory, model)


@pytest.mark.parametrize("case", list(EXAMPLES))
def test_each_bad_input_of_the_issue_gets_its_own_explanation(db, qbo_app, qbo_factory, case):
    model, codes = EXAMPLES[case]
    outcomes = run_model(db, qbo_app, qbo_factory, model)
    got = {key: (None if outcomes[key][0] == "synced" else outcomes[key][1]) for key in codes if key in outcomes}
    assert got == codes


def test_a_status_outside_the_contract_is_named_with_the_allowed_ones(db, qbo_app, qbo_factory):
    model = [
        _t(
            invoices=[
                _inv(10_001, status="Finalized"),
                _inv(10_002, "INV-2", status="FINAL"),
                _inv(10_003, "INV-3", status="draft"),
            ],
            credit_notes=[CreditNote(10_001, "CN-1", 10_001, [("x", D("1.00"))], status="final")],
        )
    ]
    run_model(db, qbo_app, qbo_factory, model)
    logged = {
        (e, sid): (code, cause, fix)
        for e, sid, code, cause, fix in db.execute(
            "SELECT entity, source_id, error_code, cause, fix FROM qbo_sync.sync_log WHERE run_id = 'fuzz-run'"
            " AND entity IN ('invoice', 'credit_memo')"
        ).fetchall()
    }
    code, cause, fix = logged[(INV, 10_001)]
    assert code == "invoice_status_unknown"
    assert "status 'Finalized'" in cause and "'draft', 'finalized' or 'voided'" in cause
    assert "exactly 'finalized'" in fix and "billing app" in fix
    assert "status 'FINAL'" in logged[(INV, 10_002)][1]
    assert (INV, 10_003) not in logged  # a draft is not the sync's business
    code, cause, _ = logged[(CRN, 10_001)]
    # The invoice failed too, but the credit note's own status is the first thing to fix.
    assert code == "credit_note_status_unknown" and "status 'final'" in cause

"""Deterministic demo data for the billing schema, streamed in chunks, with bad cases.

Same seed, sizes, ``as_of`` and bad cases -> byte-identical rows: one ``random.Random``
for the ordinary data (drawn in a fixed order that does not depend on chunking), a
second one for the bad cases, explicit ids 1..N per table, and every date relative to
``as_of`` (default: today's UTC date; "now" is ``as_of`` 00:00 UTC, nothing is later).

The app's arithmetic (the sync, its validator and the QuickBooks emulator reproduce it;
``qbo_devkit.generator.arithmetic`` implements it; cents(x) is x rounded half-up to the
cent, never banker's rounding):

* line amount = cents(quantity x unit_price - discount), where discount is
  ``discount_value`` for 'fixed' and ``quantity x unit_price x discount_value / 100``
  for 'percent' (no intermediate rounding).
* exclusive: subtotal = sum(line amounts); tax_total = sum over the invoice's tax rates
  (grouped by tax_rate_id) of cents(group sum x rate); total = subtotal + tax.
* inclusive: line amounts include tax; total = sum(line amounts); tax_total = sum over tax
  rates of cents(group sum x rate / (1 + rate)) (multiply, then divide, in a
  28-digit Decimal context); subtotal = total - tax_total.
* none: every line's tax_rate_id is null, tax_total = 0, total = subtotal.
* US tenants use only 'exclusive', each line either the sales-tax rate or 'Non-taxable'.
* credit note: each line carries a tax-inclusive amount and the tax rate of the invoice
  line it credits (an exclusive line's tax-inclusive amount is amount +
  cents(amount x rate)); total = sum of its lines <= the invoice total.
* payments (not voided) never exceed total - finalized credit notes, except where a bad
  case says so.

Shape of the data: tenants cycle the regions AU, UK, US (see ``profiles``); invoices are
interleaved across tenants in creation order (ids grow with issue dates over the 90 days
before ``as_of``), numbered per tenant. Each tenant connected QuickBooks ~4 months before
``as_of``, so every ordinary invoice is finalized after it; only bad cases are older.

Scale: invoices are generated ``chunk_size`` at a time with their lines, credit notes and
payments, each chunk COPYed and dropped; clients are streamed straight into COPY. Memory
holds one chunk plus a few ints per tenant. Everything runs in one transaction.
"""

from __future__ import annotations

import heapq
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from qbo_devkit.generator import cases as case_registry
from qbo_devkit.generator.arithmetic import ZERO, cents, invoice_totals, line_amount, tax_inclusive_line
from qbo_devkit.generator.manifest import BadRecord, Manifest, QuickBooksSetup, TenantManifest
from qbo_devkit.generator.profiles import (
    COMPANY_SUFFIX,
    CREDIT_REASONS,
    FIRST_NAMES,
    INVOICE_NOTES,
    LAST_NAMES,
    REGIONS,
    SPECIAL_NAMES,
    TRADES,
    Item,
    Region,
)
from qbo_sync.db.sqlfiles import load_sql

log = logging.getLogger(__name__)

D = Decimal
DEFAULT_TEMPLATE = "{name} ({tag})"
PLAIN_TEMPLATE = "{name}"
WINDOW_DAYS = 90  # ordinary invoices are issued in the 90 days before as_of
MAX_CLIENTS_PER_TENANT = 60_000  # < 100,000: the 5-digit tag stays unique in a tenant
LINE_COUNTS = ((1, 30), (2, 28), (3, 18), (4, 12), (5, 7), (6, 5))
PERCENTS = (D(5), D(10), D("12.5"), D(15), D(20))
FIXED = (D(2), D(5), D(10), D("12.50"), D("15.75"))
TABLES = ("invoices", "invoice_lines", "credit_notes", "credit_note_lines", "payments", "refunds")


class BillingNotEmpty(RuntimeError):
    pass


@dataclass(frozen=True)
class Progress:
    invoices_done: int
    invoices_total: int
    chunk: int


@dataclass
class Tenant:
    id: int
    index: int  # position in the merge of invoice streams
    region: Region
    name: str
    template: str
    revoked: bool
    created_at: datetime
    connected_at: datetime
    n_invoices: int
    client_base: int = 0
    client_count: int = 0
    rate_ids: dict[str, int] = field(default_factory=dict)
    rates: dict[int, Decimal] = field(default_factory=dict)
    tax_code_map: dict[str, str] = field(default_factory=dict)
    items: list[tuple[int, Item]] = field(default_factory=list)
    closed_books_date: date | None = None
    setup: QuickBooksSetup = field(default_factory=QuickBooksSetup)
    credit_seq: int = 0
    payment_seq: int = 0
    slots_used: set[int] = field(default_factory=set)
    bad_clients: list[dict[str, Any]] = field(default_factory=list)

    services: list[tuple[int, Item]] = field(default_factory=list)
    products: list[tuple[int, Item]] = field(default_factory=list)

    def number(self, k: int) -> str:
        region = self.region
        return f"{region.number_prefix}{region.number_start + k:0{region.number_width}d}"


@dataclass(frozen=True)
class _Slot:
    case: case_registry.Case
    index: int  # which of the case's slots (0, 1, ...)


def display_name(template: str, client_id: int, first: str | None, last: str | None, company: str | None) -> str:
    """The QuickBooks DisplayName the sync gives a client (mirrors transform.customer)."""
    person = " ".join(p for p in (first, last) if p)
    name = person or company or ""
    text = template.format(name=name, tag=f"{client_id % 100000:05d}", id=client_id)
    return text.strip().replace(":", "-")


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    total = sum(w for _, w in pairs)
    roll = rng.randrange(total)
    for value, weight in pairs:
        if roll < weight:
            return value
        roll -= weight
    raise AssertionError("unreachable")


def _utc(day: date, minutes: int = 0) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes)


class Generator:
    def __init__(
        self, *, seed: int, tenants: int, invoices: int, as_of: date, bad_cases: tuple[str, ...], chunk_size: int
    ) -> None:
        if tenants < 1:
            raise ValueError("tenants must be at least 1")
        if invoices < 0:
            raise ValueError("invoices must not be negative")
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.seed = seed
        self.n_tenants = tenants
        self.n_invoices = invoices
        self.as_of = as_of
        self.cases = bad_cases
        self.chunk_size = chunk_size
        self.now = _utc(as_of)
        self.window_start = as_of - timedelta(days=WINDOW_DAYS)
        # Two streams: ordinary data never depends on which bad cases are switched on.
        self.rng = random.Random(f"qbo-demo:{seed}")
        self.bad_rng = random.Random(f"qbo-demo-cases:{seed}")
        self.tenants: list[Tenant] = []
        self.slots: dict[tuple[int, int], _Slot] = {}
        self.records: list[BadRecord] = []
        self.unplaced: dict[str, str] = {}
        self.counts = {name: 0 for name in ("tenants", "tax_rates", "catalog_items", "clients", *TABLES)}
        self.ids = {name: 0 for name in self.counts}
        self.case_state: dict[str, case_registry.State] = {}  # the placed cases
        self.special_names_used = 0

    # ---- plan: tenants, rates, items, client ranges, bad-case slots ------------------

    def plan(self) -> None:
        rng = self.rng
        revoked = "revoked_connection" in self.cases
        count = self.n_tenants + (1 if revoked else 0)
        shares = self._allocate(count, revoked)
        plain_index = next((i for i in range(self.n_tenants) if REGIONS[i % 3].code == "US"), self.n_tenants - 1)
        seen_region: dict[str, int] = {}
        for i in range(count):
            region = REGIONS[i % 3]
            nth = seen_region.get(region.code, 0)
            seen_region[region.code] = nth + 1
            names = region.business_names
            name = names[nth % len(names)] + (f" {nth // len(names) + 1}" if nth >= len(names) else "")
            created = self.now - timedelta(days=rng.randint(400, 700), minutes=rng.randrange(1440))
            connected = _utc(self.as_of - timedelta(days=rng.randint(115, 125)), rng.randrange(9 * 60, 17 * 60))
            self.tenants.append(
                Tenant(
                    id=i + 1,
                    index=i,
                    region=region,
                    name=name,
                    template=PLAIN_TEMPLATE if i == plain_index else DEFAULT_TEMPLATE,
                    revoked=revoked and i == count - 1,
                    created_at=created,
                    connected_at=connected,
                    n_invoices=shares[i],
                )
            )
        for tenant in self.tenants:
            for rate_name, rate, code in tenant.region.tax_rates:
                self.add_rate(tenant, rate_name, rate, code)
        for tenant in self.tenants:
            for item in tenant.region.items:
                self.ids["catalog_items"] += 1
                tenant.items.append((self.ids["catalog_items"], item))
            tenant.services = [pair for pair in tenant.items if pair[1].kind == "service"]
            tenant.products = [pair for pair in tenant.items if pair[1].kind == "product"]
        next_client = 1
        for tenant in self.tenants:
            tenant.client_base = next_client
            tenant.client_count = max(8, min(tenant.n_invoices // 3, MAX_CLIENTS_PER_TENANT))
            next_client += tenant.client_count
        self.ids["clients"] = next_client - 1
        for name in self.cases:
            self._place(case_registry.BY_NAME[name])

    def _allocate(self, count: int, revoked: bool) -> list[int]:
        total = self.n_invoices
        rev = min(total, max(1, total // 20)) if revoked else 0
        rest = total - rev
        normal = count - (1 if revoked else 0)
        shares = [rest // normal + (1 if i < rest % normal else 0) for i in range(normal)]
        return shares + ([rev] if revoked else [])

    def add_rate(self, tenant: Tenant, name: str, rate: Decimal, code: str | None) -> int:
        self.ids["tax_rates"] += 1
        rate_id = self.ids["tax_rates"]
        tenant.rate_ids[name] = rate_id
        tenant.rates[rate_id] = rate
        if code is not None:
            tenant.tax_code_map[name] = code
        return rate_id

    def _pick_tenant(self, case: case_registry.Case) -> Tenant | None:
        avoided = {self.case_state[name].tenant.id for name in case.avoid if name in self.case_state}
        candidates = [t for t in self.tenants if not t.revoked and t.id not in avoided]
        for pref in case.prefer:
            if pref == "*":
                fits = [t for t in candidates if self._free_slots(t) >= case.slots]
                if fits:  # spread '*' cases: the tenant with most room left
                    return max(fits, key=lambda t: (self._free_slots(t), -t.id))
                continue
            for tenant in candidates:
                if self._matches(tenant, pref) and self._free_slots(tenant) >= case.slots:
                    return tenant
        return None

    @staticmethod
    def _matches(tenant: Tenant, pref: str) -> bool:
        if pref == "@name":
            return tenant.template == PLAIN_TEMPLATE
        if pref == "@default":
            return tenant.template == DEFAULT_TEMPLATE
        if pref == "@services_only":
            return tenant.region.product_share == 0 and bool(tenant.products)
        return tenant.region.code == pref

    @staticmethod
    def _free_slots(tenant: Tenant) -> int:
        return tenant.n_invoices - len(tenant.slots_used)

    def _place(self, case: case_registry.Case) -> None:
        if case.slots == 0:
            return  # revoked_connection: the extra tenant itself, planned with the tenants
        if case.name == "tax_code_inactive" and not any(
            t.region.inactive_code_rate for t in self.tenants if not t.revoked
        ):
            self.unplaced[case.name] = "needs an AU or UK tenant (US tax codes are TAX/NON)"
            return
        tenant = self._pick_tenant(case)
        if tenant is None:
            self.unplaced[case.name] = (
                f"no tenant fits (prefers {', '.join(case.prefer)}) with {case.slots} free invoice(s)"
            )
            return
        if case.name == "tax_code_inactive" and tenant.region.inactive_code_rate is None:
            self.unplaced[case.name] = "the chosen tenant's region has no tax code to deactivate"
            return
        # A case with a stream of its own draws nothing from the shared bad-case stream, so
        # adding it leaves every other case's data as it was.
        rng = random.Random(f"qbo-demo-case:{self.seed}:{case.name}") if case.own_stream else self.bad_rng
        if case.early:
            ks = self._early_slots(tenant, case.slots)
        elif case.adjacent:
            ks = self._adjacent_slots(tenant)
        else:
            ks = self._random_slots(tenant, case.slots, rng)
        if ks is None:
            self.unplaced[case.name] = f"tenant {tenant.id} has too few free invoices"
            return
        for index, k in enumerate(ks):
            tenant.slots_used.add(k)
            self.slots[(tenant.id, k)] = _Slot(case, index)
        state = self.case_state[case.name] = case_registry.State(case.name, tenant, rng=rng)
        if case.prepare is not None:
            case.prepare(self, state)

    @staticmethod
    def _early_slots(tenant: Tenant, n: int) -> list[int] | None:
        # The lowest ids: these invoices are dated before the window, so they come first.
        free = [k for k in range(tenant.n_invoices) if k not in tenant.slots_used][:n]
        return free if len(free) == n else None

    def _random_slots(self, tenant: Tenant, n: int, rng: random.Random) -> list[int] | None:
        low = min(tenant.n_invoices // 10, max(tenant.n_invoices - 1, 0))
        pool = range(low, tenant.n_invoices)
        free = [k for k in (rng.choice(pool) for _ in range(50)) if k not in tenant.slots_used]
        picked: list[int] = []
        for k in free:
            if k not in picked:
                picked.append(k)
            if len(picked) == n:
                return sorted(picked)
        rest = [k for k in range(tenant.n_invoices) if k not in tenant.slots_used and k not in picked]
        picked += rest[: n - len(picked)]
        return sorted(picked) if len(picked) == n else None

    def _adjacent_slots(self, tenant: Tenant) -> list[int] | None:
        # Neighbours, so both land in the same incremental sync run.
        low = min(tenant.n_invoices // 10, max(tenant.n_invoices - 2, 0))
        for _ in range(50):
            k = self.bad_rng.randrange(low, max(low + 1, tenant.n_invoices - 1))
            if k + 1 < tenant.n_invoices and not {k, k + 1} & tenant.slots_used:
                return [k, k + 1]
        for k in range(tenant.n_invoices - 1):
            if not {k, k + 1} & tenant.slots_used:
                return [k, k + 1]
        return None

    def bad_client(
        self,
        tenant: Tenant,
        first: str | None,
        last: str | None,
        *,
        company: str | None = None,
        email: str | None = None,
        parent: int | None = None,
    ) -> dict[str, Any]:
        rng = self.bad_rng
        created = self.now - timedelta(days=rng.randint(170, 400), minutes=rng.randrange(1440))
        client = {
            "id": 0,
            "tenant_id": tenant.id,
            "first_name": first,
            "last_name": last,
            "company_name": company,
            "email": email,
            "phone": None,
            "parent_client_id": parent,
            "active": True,
            "created_at": created,
            "updated_at": created + timedelta(days=rng.randint(0, 30)),
        }
        tenant.bad_clients.append(client)
        return client

    def special_name(self) -> tuple[str, str]:
        """The next distinctive person's name, for a client a bad case is about."""
        used = self.special_names_used
        self.special_names_used += 1
        return SPECIAL_NAMES[used % len(SPECIAL_NAMES)]

    def finish_plan(self) -> None:
        """Number the bad cases' clients after the ordinary ones (stable ids), then let each
        placed case finish: its tax rates, parent links and QuickBooks setup."""
        next_id = self.ids["clients"]
        for tenant in self.tenants:
            for client in tenant.bad_clients:
                next_id += 1
                client["id"] = next_id
        self.ids["clients"] = next_id
        for name, state in self.case_state.items():  # placed in CASES order
            finish = case_registry.BY_NAME[name].finish
            if finish is not None:
                finish(self, state)

    @staticmethod
    def display(tenant: Tenant, client: dict[str, Any]) -> str | None:
        if not (client["first_name"] or client["last_name"] or client["company_name"]):
            return None  # nothing to show: the sync cannot name it either
        return display_name(
            tenant.template, client["id"], client["first_name"], client["last_name"], client["company_name"]
        )

    # ---- static tables and clients ----------------------------------------------------

    def write_static(self, cur: psycopg.Cursor) -> None:
        with cur.copy(load_sql("devkit/generator/copy_tenants")) as copy:
            for t in self.tenants:
                copy.write_row((t.id, t.name, t.region.currency, t.region.timezone, t.created_at))
        self.counts["tenants"] = len(self.tenants)
        with cur.copy(load_sql("devkit/generator/copy_tax_rates")) as copy:
            rows = sorted((rid, t.id, name) for t in self.tenants for name, rid in t.rate_ids.items())
            for rate_id, tenant_id, name in rows:
                copy.write_row((rate_id, tenant_id, name, self.tenants[tenant_id - 1].rates[rate_id], True))
        self.counts["tax_rates"] = len(rows)
        with cur.copy(load_sql("devkit/generator/copy_catalog_items")) as copy:
            for t in self.tenants:
                for item_id, item in t.items:
                    updated = t.created_at + timedelta(days=item_id % 17)
                    copy.write_row((item_id, t.id, item.name, item.kind, item.sku, item.unit_price, True, updated))
                    self.counts["catalog_items"] += 1

    def write_clients(self, cur: psycopg.Cursor) -> None:
        with cur.copy(load_sql("devkit/generator/copy_clients")) as copy:
            for tenant in self.tenants:
                for row in self._clients(tenant):
                    copy.write_row(row)
                    self.counts["clients"] += 1
            for tenant in self.tenants:
                for c in tenant.bad_clients:
                    copy.write_row(
                        (
                            c["id"],
                            c["tenant_id"],
                            c["first_name"],
                            c["last_name"],
                            c["company_name"],
                            c["email"],
                            c["phone"],
                            c["parent_client_id"],
                            c["active"],
                            c["created_at"],
                            c["updated_at"],
                        )
                    )
                    self.counts["clients"] += 1

    def _clients(self, tenant: Tenant) -> Iterable[tuple]:
        rng = self.rng
        region = tenant.region
        unique = tenant.template == PLAIN_TEMPLATE  # plain names must never clash there
        companies: list[int] = []
        persons = firms = 0
        suffix = COMPANY_SUFFIX[region.code]
        for k in range(tenant.client_count):
            client_id = tenant.client_base + k
            company_only = rng.random() < 0.12
            first = last = company = None
            if company_only:
                if unique:
                    extra = (
                        f" {firms // (len(LAST_NAMES) * len(TRADES)) + 1}"
                        if firms >= len(LAST_NAMES) * len(TRADES)
                        else ""
                    )
                    company = (
                        f"{LAST_NAMES[firms % len(LAST_NAMES)]} "
                        f"{TRADES[(firms // len(LAST_NAMES)) % len(TRADES)]}{extra} {suffix}"
                    )
                    firms += 1
                else:
                    company = f"{rng.choice(LAST_NAMES)} {rng.choice(TRADES)} {suffix}"
            else:
                if unique:
                    combos = len(FIRST_NAMES) * len(LAST_NAMES)
                    pair = (persons * 2011) % combos  # 2011 is prime to 3600: a permutation
                    first = FIRST_NAMES[pair // len(LAST_NAMES)]
                    last = LAST_NAMES[pair % len(LAST_NAMES)]
                    if persons >= combos:
                        first = f"{first} {chr(65 + (persons // combos - 1) % 26)}."
                    persons += 1
                else:
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                if rng.random() < 0.10:
                    company = f"{rng.choice(LAST_NAMES)} {rng.choice(TRADES)} {suffix}"
            email = phone = None
            if rng.random() < 0.75:
                local = (f"{first}.{last}" if first else f"accounts.{company.split()[0]}").lower()
                local = local.replace("'", "").replace(" ", "").replace("..", ".")
                email = f"{local}{rng.randrange(100) if rng.random() < 0.4 else ''}@{region.email_domain}"
            if rng.random() < 0.7:
                digits = region.phone_digits
                phone = f"{region.phone_prefix}{rng.randrange(10**digits):0{digits}d}"
            parent = None
            if not company_only and companies and rng.random() < 0.06:
                parent = rng.choice(companies)
            if company_only:
                companies.append(client_id)
            created = self.now - timedelta(days=rng.randint(170, 400), minutes=rng.randrange(1440))
            updated = min(created + timedelta(days=rng.randint(0, 60), minutes=rng.randrange(1440)), self.now)
            yield (client_id, tenant.id, first, last, company, email, phone, parent, True, created, updated)

    # ---- invoices ---------------------------------------------------------------------

    def order(self) -> Iterable[tuple[Tenant, int, float]]:
        """Invoices of all tenants interleaved in creation order: (tenant, k, key in [0, 1))."""
        heap = [((0.5) / t.n_invoices, t.index, 0) for t in self.tenants if t.n_invoices]
        heapq.heapify(heap)
        while heap:
            key, index, k = heapq.heappop(heap)
            tenant = self.tenants[index]
            yield tenant, k, key
            if k + 1 < tenant.n_invoices:
                heapq.heappush(heap, ((k + 1.5) / tenant.n_invoices, index, k + 1))

    def after(self, start: datetime, max_minutes: int, rng: random.Random | None = None) -> datetime:
        """A moment after ``start`` (by up to ``max_minutes``), never after now."""
        room = int((self.now - start).total_seconds() // 60) - 1
        if room < 1:
            return start
        return start + timedelta(minutes=(rng or self.rng).randint(1, min(max_minutes, room)))

    def invoice(self, tenant: Tenant, k: int, key: float) -> dict[str, Any]:
        rng = self.rng
        issue = self.window_start + timedelta(days=min(WINDOW_DAYS - 1, int(key * WINDOW_DAYS)))
        roll = rng.random()
        status, origin = "finalized", "app"
        if roll < 0.06:
            status = "draft"
        elif roll < 0.10:
            status = "voided"
        elif roll < 0.107:
            origin = "quickbooks"
        mode = _weighted(rng, tenant.region.tax_modes)
        lines = [self.line(tenant, mode) for _ in range(_weighted(rng, LINE_COUNTS))]
        created = _utc(issue, rng.randrange(7 * 60, 17 * 60))
        finalized = created + timedelta(minutes=rng.randrange(5, 300)) if status != "draft" else None
        inv: dict[str, Any] = {
            "tenant": tenant,
            "k": k,
            "number": f"QBO-{k + 1:05d}" if origin == "quickbooks" else tenant.number(k),
            "client_id": tenant.client_base + rng.randrange(tenant.client_count),
            "status": status,
            "issue_date": issue,
            "due_date": issue + timedelta(days=rng.choice((7, 14, 14, 30))),
            "tax_mode": mode,
            "notes": rng.choice(INVOICE_NOTES) if rng.random() < 0.15 else None,
            "origin": origin,
            "created_at": created,
            "finalized_at": finalized,
            "voided_at": None,
            "lines": lines,
            "credit_notes": [],
            "payments": [],
        }
        self.totals(inv)
        updated = (finalized or created) + timedelta(minutes=rng.randrange(0, 180))
        if status == "voided":
            inv["voided_at"] = self.after(finalized, 3 * 1440)
            updated = inv["voided_at"]
        elif status == "finalized" and origin == "app":
            inv["credit_notes"] = self.credit_notes(inv)
            inv["payments"] = self._payments(inv)
            for event in (*inv["credit_notes"], *inv["payments"]):
                updated = max(updated, event["created_at"])
        inv["updated_at"] = (
            min(updated, self.now)
            if status != "draft"
            else min(created + timedelta(minutes=rng.randrange(0, 2880)), self.now)
        )
        return inv

    def line(
        self, tenant: Tenant, mode: str, item_pair: tuple[int, Item] | None = None, rng: random.Random | None = None
    ) -> dict[str, Any]:
        if rng is None:  # a case's line (item_pair given) draws from the bad-case stream unless given its own
            rng = self.rng if item_pair is None else self.bad_rng
        if item_pair is None:
            products = tenant.products
            if products and rng.random() < tenant.region.product_share:
                item_pair = rng.choice(products)
            else:
                item_pair = rng.choice(tenant.services)
        item_id, item = item_pair
        quantity = rng.choice(item.quantities)
        price = item.unit_price
        if rng.random() < 0.08:
            price = cents(price * D("0.9"))  # a negotiated price
        kind = value = None
        roll = rng.random()
        if roll < 0.07:
            kind, value = "percent", rng.choice(PERCENTS)
        elif roll < 0.12:
            kind, value = "fixed", rng.choice(FIXED)
            if value * 2 > quantity * price:
                kind, value = "percent", D(10)
        rate_name = item.tax
        if rng.random() < 0.1 and tenant.region.code != "US":
            rate_name = rng.choice(tenant.region.tax_rates)[0]
        rate_id = tenant.rate_ids[rate_name] if mode != "none" else None
        return {
            "item_id": item_id,
            "description": item.name,
            "quantity": quantity,
            "unit_price": price,
            "discount_kind": kind,
            "discount_value": value,
            "tax_rate_id": rate_id,
            "amount": line_amount(quantity, price, kind, value),
        }

    @staticmethod
    def totals(inv: dict[str, Any]) -> None:
        rates = inv["tenant"].rates
        inv["subtotal"], inv["tax_total"], inv["total"] = invoice_totals(
            inv["tax_mode"], ((ln["amount"], rates.get(ln["tax_rate_id"]), ln["tax_rate_id"]) for ln in inv["lines"])
        )

    def credit_notes(self, inv: dict[str, Any], *, force: bool = False) -> list[dict[str, Any]]:
        rng = self.rng if not force else self.bad_rng
        if not inv["lines"] or (not force and rng.random() >= 0.08):
            return []
        tenant = inv["tenant"]
        count = 2 if len(inv["lines"]) > 1 and rng.random() < 0.3 else 1
        cn_lines = []
        for line in rng.sample(inv["lines"], count):
            full = tax_inclusive_line(line["amount"], tenant.rates.get(line["tax_rate_id"]), inv["tax_mode"])
            amount = full if force or rng.random() < 0.6 else cents(full / 2)
            cn_lines.append(
                {
                    "line": line,
                    "description": f"Credit: {line['description']}",
                    "amount": amount,
                    "tax_rate_id": line["tax_rate_id"],
                }
            )
        excess = sum((c["amount"] for c in cn_lines), ZERO) - inv["total"]
        if excess > 0:  # per-line rounding can pass the invoice total by a cent or two
            cn_lines[-1]["amount"] -= excess
        cn_lines = [c for c in cn_lines if c["amount"] > 0]
        if not cn_lines:
            return []
        finalized = force or rng.random() < 0.85
        start = max(inv["finalized_at"], tenant.connected_at) if force else inv["finalized_at"]
        created = self.after(start, 20 * 1440, rng)
        tenant.credit_seq += 1
        finalized_at = self.after(created, 120, rng) if finalized else None
        return [
            {
                "number": f"{tenant.region.credit_prefix}{tenant.credit_seq:05d}",
                "issue_date": created.date(),
                "status": "finalized" if finalized else "draft",
                "reason": rng.choice(CREDIT_REASONS),
                "total": sum((c["amount"] for c in cn_lines), ZERO),
                "created_at": created,
                "finalized_at": finalized_at,
                "updated_at": finalized_at or created,
                "lines": cn_lines,
            }
        ]

    def _payments(self, inv: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        credited = sum((c["total"] for c in inv["credit_notes"] if c["status"] == "finalized"), ZERO)
        balance = inv["total"] - credited
        if balance <= 0:
            return []
        roll = rng.random()
        if roll < 0.55:
            parts = [balance]
        elif roll < 0.67:
            parts = [cents(balance * rng.randint(20, 80) / 100)]
        elif roll < 0.75:
            fractions = rng.choice(((D("0.5"),), (D("0.3"), D("0.3")), (D("0.25"), D("0.5"))))
            parts = [cents(balance * f) for f in fractions]
            if rng.random() < 0.7:  # usually the last payment settles the rest
                parts.append(balance - sum(parts, ZERO))
        else:
            return []
        parts = [p for p in parts if p > 0]
        tenant = inv["tenant"]
        payments = []
        moment = inv["finalized_at"]
        if parts and rng.random() < 0.03:  # a bounced card: recorded, then voided
            bounced = self.payment(tenant, parts[0], moment, rng.choice(("card", "cheque")))
            bounced["voided_at"] = self.after(bounced["created_at"], 3 * 1440)
            payments.append(bounced)
            moment = bounced["voided_at"]
        for part in parts:
            payment = self.payment(tenant, part, moment, _weighted(rng, tenant.region.payment_methods))
            payments.append(payment)
            moment = payment["created_at"]
        return payments

    def payment(
        self,
        tenant: Tenant,
        amount: Decimal,
        after: datetime,
        method: str,
        reference: str | None = None,
        rng: random.Random | None = None,
    ) -> dict[str, Any]:
        paid = self.after(after, 21 * 1440, rng)
        created = self.after(paid, 30, rng)
        if reference is None:
            tenant.payment_seq += 1
            reference = self._reference(tenant, method)
        return {
            "amount": amount,
            "paid_at": paid,
            "method": method,
            "reference": reference,
            "created_at": created,
            "voided_at": None,
        }

    def _reference(self, tenant: Tenant, method: str) -> str | None:
        # Unique per tenant (a bijection of the sequence), so no ordinary payment looks
        # like a duplicate of another ("Payment Ref#: Already exists").
        code = (tenant.payment_seq * 48271 + tenant.id * 7919) % 100_000_000
        if method == "card":
            return f"AUTH {code:08d}"
        if method == "bank_transfer":
            return f"TRF{code:08d}"
        if method == "cheque":
            return f"CHQ {code:08d}"
        if method == "other":
            return f"VCH-{code:08d}"
        return f"RCPT-{code:08d}" if self.rng.random() < 0.4 else None

    # ---- what bad cases call (their functions live in cases.py) ------------------------

    def record(
        self,
        state: case_registry.State,
        entity: str,
        obj: dict[str, Any] | None,
        expected: str,
        code: str | None,
        *,
        ref: str | None = None,
        source_id: int | None = None,
    ) -> None:
        """Note a bad record for the manifest; obj's id and number are known once it is written."""
        self._pending.append((state.case, state.tenant.id, entity, obj, source_id, ref, expected, code))

    def link_setup(self, entry: dict[str, Any], inv: dict[str, Any]) -> None:
        """Fill entry's invoice_source_id with inv's id once inv is written."""
        self._setup_links.append((entry, inv))

    def apply(self, slot: _Slot, inv: dict[str, Any]) -> None:
        """Turn an ordinary invoice into the bad case's slot-th invoice."""
        self._clean(inv)
        slot.case.apply(self, inv, slot.index, self.case_state[slot.case.name])

    def _clean(self, inv: dict[str, Any]) -> None:
        """A designated invoice starts as an ordinary finalized app invoice, unpaid."""
        inv["status"], inv["origin"], inv["voided_at"] = "finalized", "app", None
        if inv["number"].startswith("QBO-"):
            inv["number"] = inv["tenant"].number(inv["k"])
        if inv["finalized_at"] is None:
            inv["finalized_at"] = inv["created_at"] + timedelta(minutes=30)
        inv["credit_notes"], inv["payments"] = [], []
        inv["updated_at"] = max(inv["updated_at"], inv["finalized_at"])

    def redate(self, inv: dict[str, Any], issue: date, touched: bool = False) -> None:
        inv["issue_date"] = issue
        inv["due_date"] = issue + timedelta(days=14)
        inv["created_at"] = _utc(issue, 9 * 60 + self.bad_rng.randrange(0, 480))
        inv["finalized_at"] = inv["created_at"] + timedelta(minutes=20)
        # An edit after connecting brings it into an incremental run ("Update failed").
        inv["updated_at"] = (
            inv["tenant"].connected_at + timedelta(days=3) if touched else inv["finalized_at"] + timedelta(minutes=5)
        )

    def taxed_mode(self, inv: dict[str, Any]) -> None:
        """Give a 'none' invoice its tenant's taxed habit, so that a rate can be wrong."""
        if inv["tax_mode"] == "none":
            inv["tax_mode"] = "exclusive"
            tenant = inv["tenant"]
            for line in inv["lines"]:
                item = dict(tenant.items)[line["item_id"]]
                line["tax_rate_id"] = tenant.rate_ids[item.tax]

    # ---- writing ------------------------------------------------------------------------

    def emit(self, inv: dict[str, Any], buf: dict[str, list[tuple]]) -> None:
        tenant: Tenant = inv["tenant"]
        ids = self.ids
        ids["invoices"] += 1
        inv_id = inv["id"] = ids["invoices"]
        buf["invoices"].append(
            (
                inv_id,
                tenant.id,
                inv["number"],
                inv["client_id"],
                inv["status"],
                inv["issue_date"],
                inv["due_date"],
                inv["tax_mode"],
                inv.get("currency") or tenant.region.currency,
                inv["subtotal"],
                inv["tax_total"],
                inv["total"],
                inv["notes"],
                inv["origin"],
                inv["created_at"],
                inv["finalized_at"],
                inv["voided_at"],
                inv["updated_at"],
                inv.get("location"),  # the app's location of it (cases_tracking.py), else null
            )
        )
        for position, line in enumerate(inv["lines"], start=1):
            ids["invoice_lines"] += 1
            line["id"] = ids["invoice_lines"]
            buf["invoice_lines"].append(
                (
                    line["id"],
                    inv_id,
                    position,
                    line["item_id"],
                    line["description"],
                    line["quantity"],
                    line["unit_price"],
                    line["discount_kind"],
                    line["discount_value"],
                    line["tax_rate_id"],
                    line["amount"],
                )
            )
        for note in inv["credit_notes"]:
            ids["credit_notes"] += 1
            note["id"] = ids["credit_notes"]
            buf["credit_notes"].append(
                (
                    note["id"],
                    tenant.id,
                    note["number"],
                    inv_id,
                    inv["client_id"],
                    note["issue_date"],
                    note["status"],
                    note["reason"],
                    note["total"],
                    note["created_at"],
                    note["finalized_at"],
                    note["updated_at"],
                )
            )
            for cn_line in note["lines"]:
                ids["credit_note_lines"] += 1
                buf["credit_note_lines"].append(
                    (
                        ids["credit_note_lines"],
                        note["id"],
                        cn_line["line"]["id"],
                        cn_line["description"],
                        cn_line["amount"],
                        cn_line["tax_rate_id"],
                    )
                )
        for pay in inv["payments"]:
            ids["payments"] += 1
            pay["id"] = ids["payments"]
            buf["payments"].append(
                (
                    pay["id"],
                    tenant.id,
                    inv_id,
                    pay["amount"],
                    pay["paid_at"],
                    pay["method"],
                    pay["reference"],
                    "app",
                    None,
                    pay["created_at"],
                    pay["voided_at"],
                )
            )
            for refund in pay.get("refunds", ()):  # refund_cases.py
                ids["refunds"] += 1
                refund["id"] = ids["refunds"]
                buf["refunds"].append(
                    (
                        refund["id"],
                        tenant.id,
                        pay["id"],
                        refund["amount"],
                        refund["refunded_at"],
                        refund["method"],
                        refund["reference"],
                        refund["reason"],
                        refund["created_at"],
                        refund["voided_at"],
                    )
                )

    def flush(self, cur: psycopg.Cursor, buf: dict[str, list[tuple]]) -> None:
        for table in TABLES:
            rows = buf[table]
            if rows:
                with cur.copy(load_sql(f"devkit/generator/copy_{table}")) as copy:
                    for row in rows:
                        copy.write_row(row)
                self.counts[table] += len(rows)
            rows.clear()

    def write_invoices(self, cur: psycopg.Cursor, progress: Callable[[Progress], None] | None) -> None:
        buf: dict[str, list[tuple]] = {table: [] for table in TABLES}
        self._pending: list[tuple] = []
        self._setup_links: list[tuple[dict[str, Any], dict[str, Any]]] = []
        done = chunk = 0
        for tenant, k, key in self.order():
            inv = self.invoice(tenant, k, key)
            slot = self.slots.get((tenant.id, k))
            if slot is not None:
                self.apply(slot, inv)
            self.emit(inv, buf)
            if self._pending:
                self._resolve_pending()
            done += 1
            if done % self.chunk_size == 0:
                self.flush(cur, buf)
                chunk += 1
                log.info("demo: %d/%d invoices written", done, self.n_invoices)
                if progress:
                    progress(Progress(done, self.n_invoices, chunk))
        if any(buf.values()):
            self.flush(cur, buf)
            chunk += 1
            if progress:
                progress(Progress(done, self.n_invoices, chunk))

    def _resolve_pending(self) -> None:
        for case, tenant_id, entity, obj, source_id, ref, expected, code in self._pending:
            if obj is not None:
                source_id = obj["id"]
                ref = (
                    obj.get("number")
                    if entity in ("invoice", "credit_memo", "payment_import")
                    else obj.get("reference")
                )
            self.records.append(BadRecord(case, tenant_id, entity, source_id, ref, expected, code))
        self._pending.clear()
        for entry, inv in self._setup_links:
            entry["invoice_source_id"] = inv["id"]
        self._setup_links.clear()

    def manifest(self) -> Manifest:
        tenants = []
        for t in self.tenants:
            tenants.append(
                TenantManifest(
                    id=t.id,
                    name=t.name,
                    region=t.region.code,
                    currency=t.region.currency,
                    timezone=t.region.timezone,
                    connected_at=t.connected_at.isoformat(),
                    display_name_template=t.template,
                    tax_code_map=dict(sorted(t.tax_code_map.items())),
                    default_items={"service": "Services", "product": "Product"},
                    closed_books_date=t.closed_books_date.isoformat() if t.closed_books_date else None,
                    revoked=t.revoked,
                    quickbooks_setup=t.setup,
                )
            )
            if t.revoked:
                self.records.append(
                    BadRecord("revoked_connection", t.id, "tenant", t.id, t.name, "failed", "reconnect_required")
                )
        return Manifest(
            seed=self.seed,
            as_of=self.as_of.isoformat(),
            invoices_requested=self.n_invoices,
            tenants_requested=self.n_tenants,
            bad_cases=list(self.cases),
            tenants=tenants,
            bad_records=self.records,
            counts=dict(self.counts),
            unplaced_cases=dict(self.unplaced),
        )


def billing_has_rows(conn: psycopg.Connection) -> bool:
    return bool(conn.execute(load_sql("devkit/generator/billing_has_rows")).fetchone()[0])


def clear_billing(conn: psycopg.Connection) -> None:
    conn.execute(load_sql("devkit/generator/delete_billing"))


def generate(
    conn: psycopg.Connection,
    *,
    seed: int,
    tenants: int = 3,
    invoices: int = 300,
    as_of: date | None = None,
    bad_cases: Iterable[str] | str = "all",
    chunk_size: int = 5000,
    replace: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> Manifest:
    """Write demo billing data through ``conn`` (one transaction) and return its manifest.

    Refuses (BillingNotEmpty) when the billing schema already has rows, unless ``replace``,
    which empties it first in the same transaction.
    """
    gen = Generator(
        seed=seed,
        tenants=tenants,
        invoices=invoices,
        as_of=as_of or datetime.now(UTC).date(),
        bad_cases=case_registry.resolve(bad_cases),
        chunk_size=chunk_size,
    )
    gen.plan()
    gen.finish_plan()
    with conn.transaction():
        if replace:
            clear_billing(conn)
        elif billing_has_rows(conn):
            raise BillingNotEmpty(
                "the billing schema already has rows; the demo writes explicit ids from 1. "
                "Empty it first (python -m qbo_devkit.generator generate --replace ...)."
            )
        with conn.cursor() as cur:
            gen.write_static(cur)
            gen.write_clients(cur)
            gen.write_invoices(cur, progress)
        conn.execute(load_sql("devkit/generator/set_sequences"))
    manifest = gen.manifest()
    log.info("demo: generated %s", manifest.counts)
    return manifest

"""The bad cases: records that are wrong on purpose, each behind a switch with a stable name.

``CASES`` is the one table of them. Each entry names the help-centre error (seeds) it
reproduces, how many invoice slots it takes, where it prefers to live, and the small
functions the generator calls for it, in this order:

* ``prepare(gen, state)`` once the case has a tenant, before any row is written: the
  clients, tax rates or tenant settings it needs (ids are not known yet);
* ``finish(gen, state)`` once every client and rate has its id: tax rates, parent links,
  what the QuickBooks company must hold (``quickbooks_setup``);
* ``apply(gen, inv, i, state)`` for the case's i-th invoice slot while invoices stream:
  rewrite the invoice (already reset to an ordinary unpaid finalized app invoice) and
  record what the sync should do with each bad record.

Placement preferences are tried in order: a region code ('AU', 'UK', 'US'), '@name' (the
tenant whose display-name template is the plain name), '@default' (a tenant using the
tagged default template), '@services_only' (a tenant that sells no products), or '*' (the
least-used tenant); never the tenant of a placed case it names in ``avoid``. Cases are
placed, prepared and applied in ``CASES`` order, and every random draw they make comes from
the generator's bad-case stream (or, with ``own_stream``, from a stream of the case's own),
so the order of this table is part of what a seed means: append new cases at the end, with
a stream of their own, and the other cases' data stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from qbo_devkit.generator import cases_items, cases_tracking, currency_cases, refund_cases
from qbo_devkit.generator.currency_cases import foreign_currency_invoice
from qbo_sync.money import CENT, ZERO

# The generator and its tenants (dataset.Generator, dataset.Tenant) as the cases see them: not
# imported, because dataset.py imports this table of cases (no circle, even for annotations).
Generator = Any
Tenant = Any

D = Decimal
ORPHAN_CLIENT_ID = 900_000_000  # client_missing points here; far above any real id
WALK_IN = "Walk-in Sales"  # a QuickBooks-only customer; no client can be called that

Invoice = dict[str, Any]


@dataclass
class State:
    """What one placed case carries from planning to its invoices."""

    case: str
    tenant: Tenant
    clients: list[dict[str, Any]] = field(default_factory=list)  # made by prepare, in order
    rate_id: int | None = None  # the tax rate the case adds (tax_rate_not_mapped, tax_code_inactive)
    number: str | None = None  # duplicate_number_in_batch: the number both invoices carry
    rng: Any = None  # its random stream: the shared bad-case stream, or its own (Case.own_stream)


Prepare = Callable[["Generator", State], None]
Finish = Callable[["Generator", State], None]
Apply = Callable[["Generator", Invoice, int, State], None]


@dataclass(frozen=True)
class Case:
    name: str
    seeds_error: str
    produces: str
    apply: Apply | None  # None only for a case that rewrites no invoice (slots=0)
    slots: int = 1  # invoices of one tenant the case rewrites
    early: bool = False  # dated before the normal window (historical, closed period)
    adjacent: bool = False  # its slots are neighbours (they land in the same incremental run)
    prefer: tuple[str, ...] = ("*",)
    prepare: Prepare | None = None
    finish: Finish | None = None
    avoid: tuple[str, ...] = ()  # cases whose tenant it must not share (its setup would change theirs)
    own_stream: bool = False  # draws from a stream of its own (State.rng), not the shared one


# ---- helpers several cases share ------------------------------------------------------


def _one_client(gen: Generator, state: State) -> None:
    """A client with a distinctive person's name (for name clashes and QuickBooks setup)."""
    first, last = gen.special_name()
    email = f"{first}.{last}@{state.tenant.region.email_domain}".lower()
    state.clients = [gen.bad_client(state.tenant, first, last, email=email)]


def _before_connecting(gen: Generator, inv: Invoice, i: int, state: State, *, days: int, touched: bool = False) -> None:
    """Redate the invoice ``days`` before the tenant connected QuickBooks: a historical one."""
    gen.redate(inv, state.tenant.connected_at.date() - timedelta(days=days), touched=touched)
    gen.record(state, "invoice", inv, "skipped", "historical_invoice")


def _client_fails(gen: Generator, inv: Invoice, state: State, client: dict[str, Any], code: str) -> None:
    """The invoice belongs to a client the sync cannot create; the invoice fails with it."""
    inv["client_id"] = client["id"]
    gen.record(state, "customer", None, "failed", code, ref=gen.display(state.tenant, client), source_id=client["id"])
    gen.record(state, "invoice", inv, "failed", "client_not_synced")


def _quickbooks_payment(gen: Generator, inv: Invoice, state: State, **fields: str) -> None:
    """A payment the QuickBooks company holds on this invoice's customer (keyed in there)."""
    entry = {
        "phase": "after_invoice_synced",
        "invoice_source_id": None,
        "invoice_doc_number": inv["number"],
        "CustomerDisplayName": gen.display(state.tenant, state.clients[0]),
        **fields,
    }
    state.tenant.setup.payments.append(entry)
    gen.link_setup(entry, inv)  # invoice_source_id is filled in once the invoice has its id


# ---- one function (or two) per case -----------------------------------------------------


def _no_line_items(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["lines"] = []
    gen.totals(inv)
    gen.record(state, "invoice", inv, "failed", "no_line_items")


def _historical_invoice(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    # The first one was edited after connecting: it comes up in an incremental run.
    _before_connecting(gen, inv, i, state, days=40 - 9 * i, touched=i == 0)


def _duplicate_number_in_quickbooks(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    setup = state.tenant.setup
    if not any(c["DisplayName"] == WALK_IN for c in setup.customers):
        setup.customers.append({"DisplayName": WALK_IN, "Active": True})
    setup.invoices.append(
        {
            "DocNumber": inv["number"],
            "CustomerDisplayName": WALK_IN,
            "TxnDate": (state.tenant.connected_at.date() + timedelta(days=3)).isoformat(),
            "Amount": "150.00",
            "Description": "Entered directly in QuickBooks",
        }
    )
    gen.record(state, "invoice", inv, "failed", "number_used_in_quickbooks")


def _duplicate_number_in_batch(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    if i == 0:
        state.number = inv["number"]
    else:
        inv["number"] = state.number
    gen.record(state, "invoice", inv, "failed", "number_duplicate_in_run")


def _number_too_long(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["number"] = f"{state.tenant.region.long_number_prefix}{inv['k'] + 1:06d}"
    gen.record(state, "invoice", inv, "failed", "number_too_long")


def _missing_number(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["number"] = None
    gen.record(state, "invoice", inv, "failed", "number_missing")


def _finish_unmapped_rate(gen: Generator, state: State) -> None:
    rate_name, rate = state.tenant.region.unmapped_rate
    state.rate_id = gen.add_rate(state.tenant, rate_name, rate, None)


def _finish_inactive_code_rate(gen: Generator, state: State) -> None:
    rate_name, rate, code = state.tenant.region.inactive_code_rate
    state.rate_id = gen.add_rate(state.tenant, rate_name, rate, code)
    state.tenant.setup.inactive_tax_codes.append(code)


def _taxed_with_case_rate(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    """The first line carries the rate the case added (unmapped, or mapped to an inactive code)."""
    gen.taxed_mode(inv)
    inv["lines"][0]["tax_rate_id"] = state.rate_id
    gen.totals(inv)
    gen.record(state, "invoice", inv, "failed", state.case)


def _prepare_client_without_name(gen: Generator, state: State) -> None:
    domain = state.tenant.region.email_domain
    state.clients = [gen.bad_client(state.tenant, None, None, email=f"accounts@{domain}")]


def _client_without_name(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    _client_fails(gen, inv, state, state.clients[0], "client_without_name")


def _finish_vendor(gen: Generator, state: State) -> None:
    shown = gen.display(state.tenant, state.clients[0])
    state.tenant.setup.vendors.append({"DisplayName": shown, "CompanyName": shown})


def _name_clash_vendor(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    _client_fails(gen, inv, state, state.clients[0], "name_clash_vendor")


def _finish_employee(gen: Generator, state: State) -> None:
    client = state.clients[0]
    state.tenant.setup.employees.append(
        {
            "DisplayName": gen.display(state.tenant, client),
            "GivenName": client["first_name"],
            "FamilyName": client["last_name"],
        }
    )


def _name_clash_employee(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    _client_fails(gen, inv, state, state.clients[0], "name_clash_employee")


def _prepare_same_name_clients(gen: Generator, state: State) -> None:
    first, last = gen.special_name()
    domain = state.tenant.region.email_domain
    state.clients = [
        gen.bad_client(state.tenant, first, last, email=f"{first}.{last}@{domain}".lower()),
        gen.bad_client(state.tenant, first, last, email=f"{first[0]}{last}77@{domain}".lower()),
    ]


def _same_name_clients(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    _client_fails(gen, inv, state, state.clients[i], "name_clash_in_run")


def _finish_inactive_customer(gen: Generator, state: State) -> None:
    client = state.clients[0]
    state.tenant.setup.customers.append(
        {
            "DisplayName": gen.display(state.tenant, client),
            "GivenName": client["first_name"],
            "FamilyName": client["last_name"],
            "Active": False,
        }
    )


def _client_inactive_in_quickbooks(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    _client_fails(gen, inv, state, state.clients[0], "client_inactive_in_quickbooks")


def _prepare_parent_and_child(gen: Generator, state: State) -> None:
    tenant = state.tenant
    parent = gen.bad_client(tenant, None, None, email=f"office@{tenant.region.email_domain}")
    first, last = gen.special_name()
    state.clients = [parent, gen.bad_client(tenant, first, last, parent=-1)]


def _finish_parent_link(gen: Generator, state: State) -> None:
    parent, child = state.clients
    child["parent_client_id"] = parent["id"]


def _parent_client_not_synced(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    parent, child = state.clients
    inv["client_id"] = child["id"]
    tenant = state.tenant
    gen.record(
        state,
        "customer",
        None,
        "failed",
        "client_without_name",
        ref=gen.display(tenant, parent),
        source_id=parent["id"],
    )
    gen.record(
        state,
        "customer",
        None,
        "failed",
        "parent_client_not_synced",
        ref=gen.display(tenant, child),
        source_id=child["id"],
    )
    gen.record(state, "invoice", inv, "failed", "client_not_synced")


def _amounts_do_not_add_up(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    if i == 0:
        inv["total"] += D("0.03")
    else:
        inv["subtotal"] -= D("0.05")
        inv["total"] = inv["subtotal"] + inv["tax_total"]
    gen.record(state, "invoice", inv, "failed", "amounts_do_not_add_up")


def _prepare_closed_books(gen: Generator, state: State) -> None:
    state.tenant.closed_books_date = state.tenant.connected_at.date() + timedelta(days=14)


def _closed_period(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    gen.redate(inv, state.tenant.connected_at.date() + timedelta(days=2 + 5 * i))
    gen.record(state, "invoice", inv, "failed", "closed_period")


def _prepare_inactive_product_item(gen: Generator, state: State) -> None:
    state.tenant.setup.inactive_items.append("Product")


def _default_item_inactive(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    products = state.tenant.products
    inv["lines"].append(gen.line(state.tenant, inv["tax_mode"], products[i % len(products)]))
    gen.totals(inv)
    gen.record(state, "invoice", inv, "failed", "default_item_inactive")


def _voided_before_sync(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["voided_at"] = gen.after(inv["finalized_at"], 240, gen.bad_rng)
    inv["status"] = "voided"
    inv["updated_at"] = inv["voided_at"]
    gen.record(state, "invoice", inv, "never_sent", "voided_before_sync")
    if i == 0:  # with a payment that was voided too
        pay = gen.payment(
            state.tenant, inv["total"], inv["finalized_at"], "card", f"AUTH V{inv['k'] + 1:07d}", gen.bad_rng
        )
        pay["paid_at"] = pay["created_at"] = inv["finalized_at"] + timedelta(minutes=10)
        pay["voided_at"] = inv["finalized_at"] + timedelta(minutes=40)
        inv["voided_at"] = max(inv["voided_at"], pay["voided_at"])
        inv["updated_at"] = inv["voided_at"]
        inv["payments"] = [pay]
        gen.record(state, "payment", pay, "never_sent", None)


def _draft_invoice(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["status"], inv["finalized_at"] = "draft", None
    inv["updated_at"] = inv["created_at"] + timedelta(minutes=45)
    gen.record(state, "invoice", inv, "never_sent", None)


def _origin_quickbooks(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["origin"], inv["number"] = "quickbooks", f"QBO-{inv['k'] + 1:05d}"
    gen.record(state, "invoice", inv, "never_sent", None)


def _payment_reference_too_long(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    ref = f"pi_3PqL8xLkdIwHu7ix{inv['k'] % 100000:05d}a"  # a card processor's id: 25 chars
    pay = gen.payment(state.tenant, inv["total"], inv["finalized_at"], "card", ref, gen.bad_rng)
    inv["payments"] = [pay]
    inv["updated_at"] = max(inv["updated_at"], pay["created_at"])
    gen.record(state, "payment", pay, "failed", "payment_reference_too_long")


def _payment_for_unsynced_invoice(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    _before_connecting(gen, inv, i, state, days=37 - 9 * i)
    after = max(state.tenant.connected_at, gen.now - timedelta(days=30))  # a recent payment
    pay = gen.payment(state.tenant, inv["total"], after, "bank_transfer", f"TRF-H{inv['k'] + 1:07d}", gen.bad_rng)
    inv["payments"] = [pay]
    inv["updated_at"] = max(inv["updated_at"], pay["created_at"])
    gen.record(state, "payment", pay, "skipped", "payment_for_historical_invoice")


def _payment_already_in_quickbooks(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["client_id"] = state.clients[0]["id"]
    # A part payment, so that QuickBooks lets the copy be applied to the invoice too. Any
    # amount will do; it is half the total to the cent, rounded half-even as it always was
    # (so that a seed keeps its data), not the app's half-up cents().
    half = (inv["total"] / 2).quantize(CENT)
    pay = gen.payment(state.tenant, half, inv["finalized_at"], "bank_transfer", f"TRF-D{inv['k'] + 1:07d}", gen.bad_rng)
    inv["payments"] = [pay]
    inv["updated_at"] = max(inv["updated_at"], pay["created_at"])
    _quickbooks_payment(
        gen,
        inv,
        state,
        PaymentRefNum=pay["reference"],
        TotalAmt=str(pay["amount"]),
        TxnDate=pay["paid_at"].date().isoformat(),
        PaymentMethod="Bank transfer",
    )
    # The app payment syncs; the copy later keyed into QuickBooks by hand is recognised
    # by its reference when payments are read back, and not imported twice.
    gen.record(state, "payment_import", inv, "skipped", "payment_already_in_app")


def _credit_note_for_unsynced_invoice(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    _before_connecting(gen, inv, i, state, days=37 - 9 * i)
    inv["credit_notes"] = gen.credit_notes(inv, force=True)
    for note in inv["credit_notes"]:
        inv["updated_at"] = max(inv["updated_at"], note["updated_at"])
        gen.record(state, "credit_memo", note, "skipped", "credit_note_for_historical_invoice")


def _unsupported_payment_type(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["client_id"] = state.clients[0]["id"]
    _quickbooks_payment(
        gen,
        inv,
        state,
        PaymentRefNum=f"GC-{inv['k'] + 1:06d}",
        TotalAmt=str(inv["total"]),
        TxnDate=(gen.as_of - timedelta(days=1)).isoformat(),
        PaymentMethod="Gift card",
    )
    gen.record(state, "payment_import", inv, "skipped", "payment_method_unsupported")


def _client_missing(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["client_id"] = ORPHAN_CLIENT_ID + state.tenant.id
    gen.record(state, "invoice", inv, "failed", "client_missing")


def _prepare_long_email(gen: Generator, state: State) -> None:
    first, last = gen.special_name()
    email = (
        f"{first}.{last}.accounts-payable.northern-region.head-office."
        f"attention-finance-team@{first}-{last}-holdings-group.{state.tenant.region.email_domain}"
    ).lower()
    state.clients = [gen.bad_client(state.tenant, first, last, email=email)]


def _email_too_long(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    _client_fails(gen, inv, state, state.clients[0], "email_too_long")


def _line_amount_mismatch(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["lines"][0]["amount"] += D("0.01")
    gen.totals(inv)  # totals agree with the (wrong) line: only the line is off
    gen.record(state, "invoice", inv, "failed", "line_amount_mismatch")


def _unknown_tax_mode(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    inv["tax_mode"] = "reverse_charge"
    for line in inv["lines"]:
        line["tax_rate_id"] = None
    inv["subtotal"] = inv["total"] = sum((ln["amount"] for ln in inv["lines"]), ZERO)
    inv["tax_total"] = ZERO
    gen.record(state, "invoice", inv, "failed", "unknown_tax_mode")


# ---- the table ----------------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    Case(
        "no_line_items",
        "Create failed: Required param missing",
        "finalized invoices with no lines (totals 0)",
        _no_line_items,
        slots=2,
    ),
    Case(
        "historical_invoice",
        "Update failed: Historical invoice",
        "invoices finalized before the tenant connected QuickBooks (one updated since)",
        _historical_invoice,
        slots=2,
        early=True,
    ),
    Case(
        "duplicate_number_in_quickbooks",
        "Duplicate document number / Invoice: Already exists",
        "an invoice whose number the QuickBooks company already uses (quickbooks_setup.invoices)",
        _duplicate_number_in_quickbooks,
        prefer=("US", "UK", "*"),
    ),
    Case(
        "duplicate_number_in_batch",
        "Duplicate document number",
        "two finalized invoices of one tenant with the same number",
        _duplicate_number_in_batch,
        slots=2,
        adjacent=True,
        prefer=("AU", "*"),
    ),
    Case(
        "number_too_long",
        "String length ... Max:21",
        "an invoice number longer than 21 characters",
        _number_too_long,
        prefer=("UK", "*"),
    ),
    Case(
        "missing_number",
        "Required param missing",
        "a finalized invoice without a number",
        _missing_number,
        prefer=("US", "*"),
    ),
    Case(
        "tax_rate_not_mapped",
        "Business validation error (tax) / Tax code not found",
        "a tax rate absent from tax_code_map, used on invoice lines",
        _taxed_with_case_rate,
        slots=2,
        prefer=("UK", "AU", "US"),
        finish=_finish_unmapped_rate,
    ),
    Case(
        "tax_code_inactive",
        "Business validation error (tax)",
        "a tax rate mapped to a QuickBooks tax code listed in inactive_tax_codes",
        _taxed_with_case_rate,
        slots=2,
        prefer=("AU", "UK"),
        finish=_finish_inactive_code_rate,
    ),
    Case(
        "client_without_name",
        "No Name Provided",
        "a client with no first, last or company name, and its invoice",
        _client_without_name,
        prefer=("AU", "*"),
        prepare=_prepare_client_without_name,
    ),
    Case(
        "name_clash_vendor",
        "The name supplied already exists",
        "a client whose display name a QuickBooks vendor has (quickbooks_setup.vendors)",
        _name_clash_vendor,
        prefer=("@name", "*"),
        prepare=_one_client,
        finish=_finish_vendor,
    ),
    Case(
        "name_clash_employee",
        "The name supplied already exists",
        "a client whose display name a QuickBooks employee has (quickbooks_setup.employees)",
        _name_clash_employee,
        prefer=("@name", "*"),
        prepare=_one_client,
        finish=_finish_employee,
    ),
    Case(
        "same_name_clients",
        "The name supplied already exists (Workiz: same-name clients)",
        "two different clients with the same full name in the plain-name tenant",
        _same_name_clients,
        slots=2,
        prefer=("@name",),
        prepare=_prepare_same_name_clients,
    ),
    Case(
        "client_inactive_in_quickbooks",
        "Inactive client / Object Not Found",
        "a client whose display name an inactive QuickBooks customer has",
        _client_inactive_in_quickbooks,
        prefer=("@default", "*"),
        prepare=_one_client,
        finish=_finish_inactive_customer,
    ),
    Case(
        "parent_client_not_synced",
        "Parent client not synced",
        "a sub-client whose parent client has no name",
        _parent_client_not_synced,
        prefer=("AU", "*"),
        prepare=_prepare_parent_and_child,
        finish=_finish_parent_link,
    ),
    Case(
        "amounts_do_not_add_up",
        "Totals do not match",
        "invoices whose total or subtotal is off from lines + tax by a few cents",
        _amounts_do_not_add_up,
        slots=2,
        prefer=("UK", "*"),
    ),
    Case(
        "closed_period",
        "Account Period Closed",
        "invoices dated on/before the tenant's closed_books_date (finalized after connecting)",
        _closed_period,
        slots=2,
        early=True,
        prefer=("AU", "*"),
        prepare=_prepare_closed_books,
    ),
    Case(
        "default_item_inactive",
        "No fee item mapped / Line items not synced",
        "product lines in a services-only tenant whose default Product item is made inactive",
        _default_item_inactive,
        slots=2,
        prefer=("@services_only",),
        prepare=_prepare_inactive_product_item,
    ),
    Case(
        "voided_before_sync",
        "No QuickBooks status card showing",
        "invoices finalized after connecting and voided before any sync (one with a voided payment)",
        _voided_before_sync,
        slots=2,
    ),
    Case("draft_invoice", "Draft invoices do not sync", "a draft invoice", _draft_invoice),
    Case(
        "origin_quickbooks",
        "Skip Integration Source (loop prevention)",
        "an invoice that came from QuickBooks (origin 'quickbooks')",
        _origin_quickbooks,
    ),
    Case(
        "payment_reference_too_long",
        "Payment confirmation code over 21 characters",
        "a payment whose reference has more than 21 characters",
        _payment_reference_too_long,
        prefer=("AU", "*"),
    ),
    Case(
        "payment_for_unsynced_invoice",
        "Payment Ref#: Could not find applied invoice",
        "a recent payment on a historical invoice",
        _payment_for_unsynced_invoice,
        early=True,
        prefer=("UK", "*"),
    ),
    Case(
        "payment_already_in_quickbooks",
        "Payment Ref#: Already exists for Customer",
        "a payment whose reference the customer's QuickBooks payments already have",
        _payment_already_in_quickbooks,
        prefer=("UK", "*"),
        prepare=_one_client,
    ),
    Case(
        "credit_note_for_unsynced_invoice",
        "Credit Ref#: Could not find applied invoice",
        "a finalized credit note on a historical invoice",
        _credit_note_for_unsynced_invoice,
        early=True,
        prefer=("US", "*"),
    ),
    # The extra tenant itself: made when tenants are planned, recorded in the manifest.
    Case(
        "revoked_connection",
        "Invalid refresh token",
        "one extra tenant with good data whose QuickBooks connection is revoked",
        None,
        slots=0,
    ),
    Case(
        "unsupported_payment_type",
        "Payment type not supported (gift card)",
        "a QuickBooks payment by gift card on a synced invoice, for the payments import",
        _unsupported_payment_type,
        prefer=("US", "*"),
        prepare=_one_client,
    ),
    Case(
        "client_missing",
        "Customer not found / invoice linked to a client not synced",
        "an invoice whose client id does not exist",
        _client_missing,
    ),
    Case(
        "email_too_long",
        "String length ... (e-mail over 100 characters)",
        "a client whose e-mail address is over 100 characters, and its invoice",
        _email_too_long,
        prefer=("UK", "*"),
        prepare=_prepare_long_email,
    ),
    Case(
        "line_amount_mismatch",
        "Amount is not equal to UnitPrice * Qty",
        "an invoice line whose amount is a cent off quantity x price - discount",
        _line_amount_mismatch,
    ),
    Case(
        "unknown_tax_mode",
        "Business validation error (tax)",
        "an invoice with tax_mode 'reverse_charge'",
        _unknown_tax_mode,
        prefer=("UK", "*"),
    ),
    Case(
        "currency_needs_multicurrency",
        "Multicurrency is off (invoice in another currency)",
        "an invoice in another currency than its tenant's, in a company with multicurrency off",
        foreign_currency_invoice,
    ),
    # Classes and locations (issue 13): cases_tracking.py.
    Case(
        "location_not_linked",
        "App location not linked to a class or location",
        "an invoice at an app location without a link, in a tenant that links its app locations",
        cases_tracking.location_not_linked,
        prefer=("AU", "*"),
        prepare=cases_tracking.prepare_location_not_linked,
    ),
    Case(
        "class_inactive",
        "Invalid Reference Id: class",
        "an invoice at an app location linked to a class since made inactive in QuickBooks",
        cases_tracking.class_inactive,
        prefer=("AU", "*"),
        prepare=cases_tracking.prepare_class_inactive,
    ),
    # Refunds and overpayments (issue 13): refund_cases.py.
    Case(
        "refund_of_payment",
        "Refunds",
        "a paid invoice with part of its payment refunded",
        refund_cases.refund_of_payment,
    ),
    Case(
        "refund_exceeds_payment",
        "Refund amount exceeds the payment",
        "a refund larger than the payment it refunds",
        refund_cases.refund_exceeds_payment,
    ),
    Case(
        "refund_voided_before_sync",
        "Refunds",
        "a refund voided in the app before any sync",
        refund_cases.refund_voided_before_sync,
    ),
    Case(
        "overpayment",
        "Overpayment",
        "a payment larger than its invoice (the excess left as customer credit)",
        refund_cases.overpayment,
    ),
    # Items and a foreign currency that syncs (issue 13): cases_items.py, currency_cases.py.
    Case(
        "catalog_items_posted",
        "Line items not synced (every line on one default item)",
        "an invoice whose service and product lines post to QuickBooks items of their own (item policy create)",
        cases_items.catalog_items_posted,
        prefer=("US", "*"),
        prepare=cases_items.prepare_catalog_items_posted,
        avoid=("default_item_inactive",),
        own_stream=True,
    ),
    Case(
        "item_inactive_in_quickbooks",
        "Line items not synced / Invalid Reference Id",
        "an invoice selling a catalog item of its own whose QuickBooks item (same SKU) was made inactive",
        cases_items.item_inactive,
        prefer=("US", "*"),
        prepare=cases_items.prepare_item_inactive,
        avoid=("default_item_inactive",),
        own_stream=True,
    ),
    Case(
        "foreign_currency_synced",
        "Multicurrency (invoice in another currency)",
        "an invoice in another currency, paid in full, in a company with multicurrency turned on",
        currency_cases.foreign_currency_synced,
        prefer=("UK", "US", "*"),
        prepare=currency_cases.prepare_multicurrency,
        avoid=("currency_needs_multicurrency",),
        own_stream=True,
    ),
    # A refund of an overpayment's excess, paid back by cheque (issue 13): refund_cases.py.
    Case(
        "refund_of_overpayment_credit",
        "Overpayment refunded (customer credit paid back)",
        "a payment larger than its invoice and a refund of part of its excess, in a tenant with a refund bank account",
        refund_cases.refund_of_overpayment_credit,
        prepare=refund_cases.prepare_refund_bank_account,
        own_stream=True,
    ),
)

BY_NAME: dict[str, Case] = {case.name: case for case in CASES}
NAMES: tuple[str, ...] = tuple(case.name for case in CASES)


class UnknownBadCase(ValueError):
    pass


def resolve(bad_cases: Iterable[str] | str) -> tuple[str, ...]:
    """'all', 'none', a comma-separated string or an iterable of names -> names in CASES order."""
    if isinstance(bad_cases, str):
        if bad_cases.strip() == "all":
            return NAMES
        if bad_cases.strip() in ("none", ""):
            return ()
        bad_cases = [part.strip() for part in bad_cases.split(",") if part.strip()]
    wanted = set(bad_cases)
    unknown = sorted(wanted - set(NAMES))
    if unknown:
        raise UnknownBadCase(f"unknown bad case(s): {', '.join(unknown)}; known: {', '.join(NAMES)}")
    return tuple(name for name in NAMES if name in wanted)

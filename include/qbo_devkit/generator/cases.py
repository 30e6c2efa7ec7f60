"""The bad cases: records that are wrong on purpose, each behind a switch with a stable name.

Each case names the help-centre error (seeds) it reproduces, how many invoice slots it
takes, and where it prefers to live. Placement preferences are tried in order:
a region code ('AU', 'UK', 'US'), '@name' (the tenant whose display-name template is the
plain name), '@default' (a tenant using the tagged default template), '@services_only'
(a tenant that sells no products), or '*' (the least-used tenant).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    seeds_error: str
    produces: str
    slots: int = 1  # invoices of one tenant the case rewrites
    early: bool = False  # dated before the normal window (historical, closed period)
    prefer: tuple[str, ...] = ("*",)


CASES: tuple[Case, ...] = (
    Case("no_line_items", "Create failed: Required param missing",
         "finalized invoices with no lines (totals 0)", slots=2),
    Case("historical_invoice", "Update failed: Historical invoice",
         "invoices finalized before the tenant connected QuickBooks (one updated since)",
         slots=2, early=True),
    Case("duplicate_number_in_quickbooks", "Duplicate document number / Invoice: Already exists",
         "an invoice whose number the QuickBooks company already uses (quickbooks_setup.invoices)",
         prefer=("US", "UK", "*")),
    Case("duplicate_number_in_batch", "Duplicate document number",
         "two finalized invoices of one tenant with the same number", slots=2, prefer=("AU", "*")),
    Case("number_too_long", "String length ... Max:21",
         "an invoice number longer than 21 characters", prefer=("UK", "*")),
    Case("missing_number", "Required param missing", "a finalized invoice without a number",
         prefer=("US", "*")),
    Case("tax_rate_not_mapped", "Business validation error (tax) / Tax code not found",
         "a tax rate absent from tax_code_map, used on invoice lines", slots=2,
         prefer=("UK", "AU", "US")),
    Case("tax_code_inactive", "Business validation error (tax)",
         "a tax rate mapped to a QuickBooks tax code listed in inactive_tax_codes", slots=2,
         prefer=("AU", "UK")),
    Case("client_without_name", "No Name Provided",
         "a client with no first, last or company name, and its invoice", prefer=("AU", "*")),
    Case("name_clash_vendor", "The name supplied already exists",
         "a client whose display name a QuickBooks vendor has (quickbooks_setup.vendors)",
         prefer=("@name", "*")),
    Case("name_clash_employee", "The name supplied already exists",
         "a client whose display name a QuickBooks employee has (quickbooks_setup.employees)",
         prefer=("@name", "*")),
    Case("same_name_clients", "The name supplied already exists (Workiz: same-name clients)",
         "two different clients with the same full name in the plain-name tenant", slots=2,
         prefer=("@name",)),
    Case("client_inactive_in_quickbooks", "Inactive client / Object Not Found",
         "a client whose display name an inactive QuickBooks customer has", prefer=("@default", "*")),
    Case("parent_client_not_synced", "Parent client not synced",
         "a sub-client whose parent client has no name", prefer=("AU", "*")),
    Case("amounts_do_not_add_up", "Totals do not match",
         "invoices whose total or subtotal is off from lines + tax by a few cents", slots=2,
         prefer=("UK", "*")),
    Case("closed_period", "Account Period Closed",
         "invoices dated on/before the tenant's closed_books_date (finalized after connecting)",
         slots=2, early=True, prefer=("AU", "*")),
    Case("default_item_inactive", "No fee item mapped / Line items not synced",
         "product lines in a services-only tenant whose default Product item is made inactive",
         slots=2, prefer=("@services_only",)),
    Case("voided_before_sync", "No QuickBooks status card showing",
         "invoices finalized after connecting and voided before any sync (one with a voided payment)",
         slots=2),
    Case("draft_invoice", "Draft invoices do not sync", "a draft invoice"),
    Case("origin_quickbooks", "Skip Integration Source (loop prevention)",
         "an invoice that came from QuickBooks (origin 'quickbooks')"),
    Case("payment_reference_too_long", "Payment confirmation code over 21 characters",
         "a payment whose reference has more than 21 characters", prefer=("AU", "*")),
    Case("payment_for_unsynced_invoice", "Payment Ref#: Could not find applied invoice",
         "a recent payment on a historical invoice", early=True, prefer=("UK", "*")),
    Case("payment_already_in_quickbooks", "Payment Ref#: Already exists for Customer",
         "a payment whose reference the customer's QuickBooks payments already have",
         prefer=("UK", "*")),
    Case("credit_note_for_unsynced_invoice", "Credit Ref#: Could not find applied invoice",
         "a finalized credit note on a historical invoice", early=True, prefer=("US", "*")),
    Case("revoked_connection", "Invalid refresh token",
         "one extra tenant with good data whose QuickBooks connection is revoked", slots=0),
    Case("unsupported_payment_type", "Payment type not supported (gift card)",
         "a QuickBooks payment by gift card on a synced invoice, for the payments import",
         prefer=("US", "*")),
    Case("client_missing", "Customer not found / invoice linked to a client not synced",
         "an invoice whose client id does not exist"),
    Case("email_too_long", "String length ... (e-mail over 100 characters)",
         "a client whose e-mail address is over 100 characters, and its invoice",
         prefer=("UK", "*")),
    Case("line_amount_mismatch", "Amount is not equal to UnitPrice * Qty",
         "an invoice line whose amount is a cent off quantity x price - discount"),
    Case("unknown_tax_mode", "Business validation error (tax)",
         "an invoice with tax_mode 'reverse_charge'", prefer=("UK", "*")),
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

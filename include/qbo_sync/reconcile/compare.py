"""One record of the app against its QuickBooks record: what differs, field by field.

Pure functions over the app's row (``sql/reconcile/app_*.sql``) and QuickBooks' entity as
read (a dict, or None when QuickBooks no longer has it). No database, no QuickBooks calls:
``reconcile.run`` reads both sides, ``reconcile.explain`` says why they differ.

What is compared (issue 18, item 1):

- an invoice: voided or not, and ``TotalAmt``, ``TxnTaxDetail.TotalTax`` and ``Balance``
  against the app's total, tax and balance (total less live payments and finalized credit
  notes);
- a payment of the app: voided or not, ``TotalAmt``, and that it pays its invoice (unless
  the app voided that invoice: QuickBooks then unlinks its payments);
- a credit note: ``TotalAmt`` (voided in the app: none left in QuickBooks), and that the
  Payment that applied it to its invoice still links both;
- a customer: that it exists, and is active while the app's client is (the sync never makes
  a customer inactive, so an inactive client's customer may be either);
- a refund (issue 13): its RefundReceipt's ``TotalAmt`` (voided in the app: the receipt was
  deleted, so it is not read and counts as agreeing); a refund of an overpayment's credit paid
  back by cheque (payments/refund_checks.py): that its Check exists, its ``TotalAmt``, and that
  the payment whose credit it pays back still links it for the refund's amount;
- an invoice's currency and tracking (issue 13): its ``CurrencyRef`` against the app invoice's
  currency (when QuickBooks states one), its class (the header ``ClassRef``, else the one its
  lines carry: QuickBooks keeps only the one its preference uses) and ``DepartmentRef`` against
  what the tenant's settings and location links give the invoice.

Every check carries the currency of its amount, so that totals are summed per currency.

An overpayment (issue 13) pays its invoice what it still owed and leaves the rest unapplied:
it agrees when it pays its invoice, or pays nothing at all because the app's invoice was
already settled before it (its whole amount then unapplied credit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from qbo_sync.money import ZERO, cents

AGREE, EXPLAINED, UNEXPLAINED = "agree", "explained", "unexplained"


@dataclass(frozen=True)
class Difference:
    field: str  # what differs: TotalAmt, TotalTax, Balance, voided, pays invoice, applied, exists, Active
    app: str  # the app's side, e.g. "50.00"
    qbo: str  # QuickBooks' side, e.g. "0.00"


@dataclass
class Check:
    """One record's comparison; ``verdict`` and ``explanation`` are set by reconcile.explain."""

    entity: str  # invoice | payment | credit_memo | customer | refund
    source_id: int
    ref: str
    qbo_id: str | None
    amount: Decimal | None  # the app's amount (invoice total, payment, credit), for the totals
    differences: list[Difference] = field(default_factory=list)
    verdict: str = AGREE
    explanation: str | None = None
    currency: str | None = None  # the amount's currency (totals are summed per currency)

    @property
    def fields(self) -> str | None:
        return ", ".join(d.field for d in self.differences) or None

    @property
    def app_value(self) -> str | None:
        return "; ".join(f"{d.field} {d.app}" for d in self.differences) or None

    @property
    def qbo_value(self) -> str | None:
        return "; ".join(f"{d.field} {d.qbo}" for d in self.differences) or None

    def summary(self) -> str:
        """``invoice INV-7: Balance QuickBooks 0.00, app 50.00``."""
        parts = "; ".join(f"{d.field} QuickBooks {d.qbo}, app {d.app}" for d in self.differences)
        return f"{self.entity.replace('_', ' ')} {self.ref}: {parts}"


def money(value: Any) -> Decimal:
    """QuickBooks' JSON number (or the app's numeric) as cents; missing is zero."""
    if value is None or value == "":
        return ZERO
    try:
        return cents(Decimal(str(value)))
    except InvalidOperation:
        return ZERO


def text(value: Decimal) -> str:
    return f"{value:.2f}"


def voided(row: dict[str, Any]) -> bool:
    """A voided transaction keeps its Id, its amounts become 0 and QuickBooks puts "Voided" in
    its PrivateNote (Intuit's Invoice and Payment references, "void")."""
    return "voided" in (row.get("PrivateNote") or "").lower() and money(row.get("TotalAmt")) == ZERO


def linked(row: dict[str, Any], txn_type: str) -> set[str]:
    return {
        str(link.get("TxnId"))
        for line in row.get("Line") or []
        for link in line.get("LinkedTxn") or []
        if link.get("TxnType") == txn_type
    }


def _missing(entity: str, qbo_id: str) -> Difference:
    return Difference("exists", f"{entity} Id {qbo_id}", "not found (deleted in QuickBooks?)")


def _code(currency: Any) -> str | None:
    return str(currency).strip().upper() if currency else None


def _ref_value(ref: Any) -> str | None:
    return str(ref["value"]) if isinstance(ref, dict) and ref.get("value") not in (None, "") else None


def _shown(ref_id: str | None, names: dict[str, str] | None) -> str:
    if ref_id is None:
        return "none"
    name = (names or {}).get(ref_id)
    return f"Id {ref_id} ({name})" if name else f"Id {ref_id}"


def qbo_class(row: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The invoice's class in QuickBooks, and the names QuickBooks gave the Ids it read: the
    header ClassRef, else the class its lines share (per-line tracking drops the header's);
    lines with different classes read as "several"."""
    names: dict[str, str] = {}
    header = row.get("ClassRef")
    if _ref_value(header):
        if header.get("name"):
            names[_ref_value(header)] = str(header["name"])
        return _ref_value(header), names
    found = set()
    for line in row.get("Line") or []:
        ref = (line.get("SalesItemLineDetail") or {}).get("ClassRef")
        if _ref_value(ref):
            found.add(_ref_value(ref))
            if ref.get("name"):
                names[_ref_value(ref)] = str(ref["name"])
    if len(found) > 1:
        return "several: " + ", ".join(sorted(found)), names
    return (found.pop() if found else None), names


def _tracking(check: Check, row: dict[str, Any], tracking: tuple[str | None, str | None] | None) -> None:
    """ClassRef and DepartmentRef against the class and location the app's settings give."""
    if tracking is None:
        return
    want_class, want_department = tracking
    have_class, names = qbo_class(row)
    if (want_class or None) != have_class:
        check.differences.append(Difference("ClassRef", _shown(want_class, None), _shown(have_class, names)))
    department = row.get("DepartmentRef")
    have_department = _ref_value(department)
    if have_department and isinstance(department, dict) and department.get("name"):
        names[have_department] = str(department["name"])
    if (want_department or None) != have_department:
        check.differences.append(
            Difference("DepartmentRef", _shown(want_department, None), _shown(have_department, names))
        )


def invoice(app: tuple, row: dict[str, Any] | None, tracking: tuple[str | None, str | None] | None = None) -> Check:
    """``tracking``: the (class Id, department Id) the tenant's settings give the invoice; None
    when the comparison of classes and locations does not apply."""
    source_id, number, qbo_id, status, total, tax, balance, _tax_mode, *rest = app
    currency = _code(rest[0]) if rest else None
    check = Check("invoice", source_id, number or f"id {source_id}", qbo_id, total, currency=currency)
    if row is None:
        check.differences.append(_missing("Invoice", qbo_id))
        return check
    if status == "voided":
        if not voided(row):
            check.differences.append(
                Difference("voided", "voided", f"not voided (TotalAmt {text(money(row.get('TotalAmt')))})")
            )
        return check
    if voided(row):
        check.differences.append(Difference("voided", f"not voided (TotalAmt {text(money(total))})", "voided"))
        return check
    sides = (
        ("TotalAmt", money(total), money(row.get("TotalAmt"))),
        ("TotalTax", money(tax), money((row.get("TxnTaxDetail") or {}).get("TotalTax"))),
        ("Balance", money(balance), money(row.get("Balance"))),
    )
    check.differences += [Difference(name, text(a), text(q)) for name, a, q in sides if a != q]
    theirs = _code(_ref_value(row.get("CurrencyRef")))
    if currency and theirs and theirs != currency:  # compared when QuickBooks states one
        check.differences.append(Difference("CurrencyRef", currency, theirs))
    _tracking(check, row, tracking)
    return check


def payment(app: tuple, row: dict[str, Any] | None) -> Check:
    source_id, ref, qbo_id, amount, is_void, invoice_qbo, number, invoice_voided, *rest = app
    settled_before = bool(rest and rest[0])
    check = Check("payment", source_id, ref, qbo_id, amount, currency=_code(rest[1]) if len(rest) > 1 else None)
    if row is None:
        check.differences.append(_missing("Payment", qbo_id))
        return check
    if is_void:
        if not voided(row):
            check.differences.append(
                Difference("voided", "voided", f"not voided (TotalAmt {text(money(row.get('TotalAmt')))})")
            )
        return check
    if voided(row):
        check.differences.append(Difference("voided", f"not voided (TotalAmt {text(money(amount))})", "voided"))
        return check
    if money(amount) != money(row.get("TotalAmt")):
        check.differences.append(Difference("TotalAmt", text(money(amount)), text(money(row.get("TotalAmt")))))
    pays = linked(row, "Invoice")
    # Voiding an invoice unlinks its payments in QuickBooks (their amount becomes unapplied):
    # a payment of an invoice the app voided pays nothing there, as expected.
    # Credit paid back by cheque (payments/refund_checks.py) is linked as a Check: still credit.
    lines = row.get("Line") or []
    cheques = sum((money(line.get("Amount")) for line in lines if linked({"Line": [line]}, "Check")), ZERO)
    all_credit = not pays and money(row.get("UnappliedAmt")) + cheques == money(row.get("TotalAmt"))
    if invoice_qbo and invoice_qbo not in pays and not invoice_voided and not (settled_before and all_credit):
        shown = ", ".join(f"Id {i}" for i in sorted(pays)) or "no invoice"
        check.differences.append(Difference("pays invoice", f"{number} (Id {invoice_qbo})", shown))
    return check


def credit_memo(app: tuple, row: dict[str, Any] | None, application: dict[str, Any] | None) -> Check:
    source_id, number, qbo_id, total, status, invoice_qbo, application_qbo, *rest = app
    check = Check("credit_memo", source_id, number, qbo_id, total, currency=_code(rest[0]) if rest else None)
    if row is None:
        check.differences.append(_missing("CreditMemo", qbo_id))
        return check
    if status == "voided":
        if money(row.get("TotalAmt")) != ZERO:
            check.differences.append(Difference("voided", "voided", f"TotalAmt {text(money(row.get('TotalAmt')))}"))
        return check
    if money(total) != money(row.get("TotalAmt")):
        check.differences.append(Difference("TotalAmt", text(money(total)), text(money(row.get("TotalAmt")))))
    if application_qbo:
        wanted = f"applied to invoice Id {invoice_qbo} by payment Id {application_qbo}"
        if application is None:
            check.differences.append(Difference("applied", wanted, f"payment Id {application_qbo} not found"))
        elif qbo_id not in linked(application, "CreditMemo") or (
            invoice_qbo and invoice_qbo not in linked(application, "Invoice")
        ):
            check.differences.append(
                Difference("applied", wanted, f"payment Id {application_qbo} no longer links both")
            )
    return check


def customer(app: tuple, row: dict[str, Any] | None) -> Check:
    source_id, name, qbo_id, active = app
    check = Check("customer", source_id, name, qbo_id, None)
    if row is None:
        check.differences.append(_missing("Customer", qbo_id))
    elif active and row.get("Active") is False:
        check.differences.append(Difference("Active", "active", "inactive"))
    return check


def refund(app: tuple, row: dict[str, Any] | None) -> Check:
    source_id, ref, qbo_id, amount, is_void, *rest = app
    check = Check("refund", source_id, ref, qbo_id, amount, currency=_code(rest[0]) if rest else None)
    if is_void:  # the sync deleted its RefundReceipt (QuickBooks has no void for one)
        return check
    if row is None:
        check.differences.append(_missing("RefundReceipt", qbo_id))
    elif money(amount) != money(row.get("TotalAmt")):
        check.differences.append(Difference("TotalAmt", text(money(amount)), text(money(row.get("TotalAmt")))))
    return check


def refund_check(app: tuple, row: dict[str, Any] | None, payment: dict[str, Any] | None) -> Check:
    """A refund paid back by cheque: its Check (a Purchase) and the Payment that links it."""
    source_id, ref, qbo_id, amount, is_void, currency, payment_qbo, payment_ref = app
    check = Check("refund", source_id, ref, qbo_id, amount, currency=_code(currency))
    if is_void:  # the sync unlinked and deleted its cheque
        return check
    if row is None:
        check.differences.append(Difference("exists", f"Check Id {qbo_id}", "not found (deleted in QuickBooks?)"))
        return check
    if money(amount) != money(row.get("TotalAmt")):
        check.differences.append(
            Difference("TotalAmt", text(money(amount)), f"{text(money(row.get('TotalAmt')))} (Check Id {qbo_id})")
        )
    wanted = f"linked on payment {payment_ref} (Id {payment_qbo}) for {text(money(amount))}"
    if payment is None:
        check.differences.append(Difference("linked", wanted, f"payment Id {payment_qbo} not found"))
        return check
    on_it = sum(
        (
            money(line.get("Amount"))
            for line in payment.get("Line") or []
            for link in line.get("LinkedTxn") or []
            if link.get("TxnType") == "Check" and str(link.get("TxnId")) == str(qbo_id)
        ),
        ZERO,
    )
    if on_it != money(amount):
        shown = f"payment Id {payment_qbo} links it for {text(on_it)}"
        if not on_it:
            shown = f"not linked on payment Id {payment_qbo}"
        check.differences.append(Difference("linked", wanted, shown))
    return check

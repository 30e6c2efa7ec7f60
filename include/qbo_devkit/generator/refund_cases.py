"""The demo's refund and overpayment cases (issue 13, item 3), hooked into ``cases.CASES``.

Each rewrites one ordinary invoice of a tenant (``apply(gen, inv, i, state)``, as the other
cases do) and records what the sync should do:

* ``refund_of_payment``: the invoice is paid in full and part of that payment is refunded:
  the refund goes to QuickBooks as a RefundReceipt (synced);
* ``refund_exceeds_payment``: a refund larger than the payment it refunds: failed with
  ``refund_exceeds_payment``, nothing sent;
* ``refund_voided_before_sync``: a refund voided in the app before any sync: never sent;
* ``overpayment``: a payment larger than the invoice: sent, the excess left unapplied as
  customer credit, and the outcome (its adjustments) says so (synced);
* ``refund_of_overpayment_credit``: a payment larger than the invoice and a refund of part of
  its excess, in a tenant whose refund bank account the demo sets
  (``quickbooks_setup.refund_bank_account``, saved with ``tenants set --refund-bank-account``
  as a user would): the refund pays that credit back as a Check to the customer coded to
  Accounts Receivable, linked on the overpayment (synced; docs/operations.md, "Refunds and
  overpayments").

The first four draw from the generator's bad-case stream, the last from a stream of its own
(``Case.own_stream``), so these cases (appended at the end of ``CASES``) leave what a seed
means for the other cases unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from qbo_sync.money import CENT

Generator = Any
State = Any
Invoice = dict[str, Any]


# A Bank account every QuickBooks company the emulator makes starts with (qbo_emulator/seed.py).
REFUND_BANK_ACCOUNT = "Business Bank Account"


def _paid(
    gen: Generator, inv: Invoice, state: State, amount: Decimal, reference: str, rng: Any = None
) -> dict[str, Any]:
    pay = gen.payment(state.tenant, amount, inv["finalized_at"], "card", reference, rng or gen.bad_rng)
    inv["payments"] = [pay]
    inv["updated_at"] = max(inv["updated_at"], pay["created_at"])
    return pay


def _refund(pay: dict[str, Any], amount: Decimal, reference: str, reason: str | None) -> dict[str, Any]:
    when = pay["created_at"] + timedelta(hours=2)
    refund = {
        "amount": amount,
        "refunded_at": when,
        "method": pay["method"],
        "reference": reference,
        "reason": reason,
        "created_at": when,
        "voided_at": None,
    }
    pay.setdefault("refunds", []).append(refund)
    return refund


def refund_of_payment(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    pay = _paid(gen, inv, state, inv["total"], f"AUTH R{inv['k'] + 1:07d}")
    part = max((inv["total"] / 3).quantize(CENT), CENT)
    refund = _refund(pay, part, f"RF-{inv['k'] + 1:06d}", "Session cancelled: part refund")
    gen.record(state, "refund", refund, "synced", None)


def refund_exceeds_payment(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    pay = _paid(gen, inv, state, inv["total"], f"AUTH X{inv['k'] + 1:07d}")
    refund = _refund(pay, inv["total"] + Decimal("10.00"), f"RFX-{inv['k'] + 1:06d}", None)
    gen.record(state, "refund", refund, "failed", "refund_exceeds_payment")


def refund_voided_before_sync(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    pay = _paid(gen, inv, state, inv["total"], f"AUTH V{inv['k'] + 1:07d}")
    refund = _refund(pay, CENT * 500, f"RFV-{inv['k'] + 1:06d}", "Entered twice")
    refund["voided_at"] = refund["created_at"] + timedelta(minutes=5)
    gen.record(state, "refund", refund, "never_sent", None)


def overpayment(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    pay = _paid(gen, inv, state, inv["total"] + Decimal("20.00"), f"AUTH O{inv['k'] + 1:07d}")
    gen.record(state, "payment", pay, "synced", None)


def prepare_refund_bank_account(gen: Generator, state: State) -> None:
    state.tenant.setup.refund_bank_account = REFUND_BANK_ACCOUNT


def refund_of_overpayment_credit(gen: Generator, inv: Invoice, i: int, state: State) -> None:
    pay = _paid(gen, inv, state, inv["total"] + Decimal("30.00"), f"AUTH C{inv['k'] + 1:07d}", state.rng)
    refund = _refund(pay, Decimal("20.00"), f"RFC-{inv['k'] + 1:06d}", "Overpaid: credit returned to the client")
    gen.record(state, "invoice", inv, "synced", None)
    gen.record(state, "refund", refund, "synced", None)

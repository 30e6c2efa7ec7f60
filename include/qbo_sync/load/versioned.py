"""Changing a record that is already in QuickBooks: with its SyncToken, at most twice, never
applied twice.

Every write to an existing QuickBooks record names the version it changes (``SyncToken``);
QuickBooks refuses a stale one with fault 5010 (Stale Object Error) and changes nothing.
The sync writes with the SyncToken it recorded at its own last write (Intuit: cache the
SyncToken, never read back what a write already answered). When that token is stale (a
person edited the record in QuickBooks, a payment was applied to it) or the answer was lost,
the record is read once: if it already carries this change (an earlier write whose answer was
lost did land), nothing is sent again; otherwise the change is sent once more with the fresh
SyncToken. A second 5010 is the record's outcome (someone is editing it right now); the next
run starts over from the recorded token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

STALE = "5010"
NOT_FOUND = "610"


@dataclass(frozen=True)
class Written:
    entity: dict[str, Any]  # QuickBooks' record after the write ({} once deleted)
    already: bool = False  # QuickBooks already had the change (a lost answer): not sent again
    reread: bool = False  # the recorded SyncToken was stale or the answer lost: read once


def write_versioned(
    client: Any,
    entity_name: str,
    qbo_id: str,
    sync_token: str | None,
    send: Callable[[str], Any],
    carries: Callable[[dict[str, Any]], bool],
    *,
    gone_is_done: bool = False,
) -> Written:
    """``send(sync_token)`` (a client write returning a ``WriteResult``) with the recorded
    ``sync_token`` (None: unknown, read first); on 5010 or a lost answer, read the record once
    and either find the change already there (``carries``) or send it once more.

    ``gone_is_done``: a deletion, for which a record QuickBooks no longer has (fault 610,
    deleted) is the change already made. Other faults raise ``QboFaultError``; a second lost
    answer raises ``OutcomeUnknown``."""
    from qbo_client.errors import OutcomeUnknown, QboFaultError

    if sync_token is not None:
        try:
            return Written(_entity(send(str(sync_token))))
        except QboFaultError as exc:
            code = str(exc.fault.code)
            if gone_is_done and code == NOT_FOUND:
                return Written({}, already=True)
            if code != STALE:
                raise
        except OutcomeUnknown:
            pass  # it may have landed: look before sending again
    try:
        fresh = client.read(entity_name, qbo_id)
    except QboFaultError as exc:
        if gone_is_done and str(exc.fault.code) == NOT_FOUND:
            return Written({}, already=True, reread=True)
        raise
    if carries(fresh):
        return Written(fresh, already=True, reread=True)
    return Written(_entity(send(str(fresh.get("SyncToken")))), reread=True)


def _entity(result: Any) -> dict[str, Any]:
    return dict(getattr(result, "entity", None) or {})


# ---------------------------------------------------------------------- what a record carries
def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else None
    except (InvalidOperation, ValueError):
        return None


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    return None if value in (None, "") else str(value)


def _lines(lines: Any) -> list[tuple[Any, ...]]:
    """Sales lines as (amount, description, item, tax code); QuickBooks' own subtotal line left out."""
    out = []
    for line in lines or []:
        if not isinstance(line, dict) or line.get("DetailType") in ("SubTotalLineDetail", "SubtotalLineDetail"):
            continue
        detail = line.get("SalesItemLineDetail") or {}
        out.append(
            (
                _money(line.get("Amount")),
                line.get("Description") or None,
                _ref(detail.get("ItemRef")),
                _ref(detail.get("TaxCodeRef")),
            )
        )
    return out


def _links(lines: Any) -> dict[tuple[str, str], Decimal]:
    """A payment's applications: (TxnType, TxnId) -> amount."""
    out: dict[tuple[str, str], Decimal] = {}
    for line in lines or []:
        for link in (line or {}).get("LinkedTxn") or []:
            key = (str(link.get("TxnType")), str(link.get("TxnId")))
            out[key] = out.get(key, Decimal(0)) + (_money(line.get("Amount")) or Decimal(0))
    return out


def sales_view(record: dict[str, Any]) -> tuple[Any, ...]:
    """What the sync sets on an Invoice or CreditMemo, as comparable values."""
    tax = record.get("TxnTaxDetail") or {}
    return (
        _ref(record.get("CustomerRef")),
        record.get("TxnDate"),
        record.get("DocNumber"),
        _lines(record.get("Line")),
        _money(tax.get("TotalTax")) if "TxnTaxDetail" in record else None,
    )


def payment_view(record: dict[str, Any]) -> tuple[Any, ...]:
    """What the sync sets on a Payment, as comparable values."""
    return (
        _ref(record.get("CustomerRef")),
        _money(record.get("TotalAmt")),
        record.get("TxnDate"),
        record.get("PaymentRefNum") or None,
        _links(record.get("Line")),
    )


def carries_sales(body: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """Does a QuickBooks Invoice or CreditMemo already hold ``body`` (what we would send)?"""
    want = sales_view(body)
    size = len(want) if "TxnTaxDetail" in body else len(want) - 1  # no tax stated: QuickBooks' own

    return lambda fresh: sales_view(fresh)[:size] == want[:size]


def carries_payment(body: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """Does a QuickBooks Payment already hold ``body``?"""
    want = payment_view(body)
    return lambda fresh: payment_view(fresh) == want


def _holds(sent: Any, held: Any) -> bool:
    """Does QuickBooks' value ``held`` hold what was ``sent``? Dicts by the keys sent (QuickBooks
    adds its own, e.g. a reference's name), amounts to the cent, the rest as equal."""
    if isinstance(sent, dict):
        return isinstance(held, dict) and all(_holds(v, held.get(k)) for k, v in sent.items())
    if isinstance(sent, bool) or isinstance(held, bool):
        return sent is held or str(sent).lower() == str(held).lower()
    if isinstance(sent, (int, float, Decimal)) and not isinstance(sent, bool):
        return _money(sent) == _money(held)
    return sent == held


def carries_fields(body: dict[str, Any], sent_token: str | None) -> Callable[[dict[str, Any]], bool]:
    """Does a QuickBooks record already hold the sparse update ``body`` sent with ``sent_token``:
    a later version (a write landed since) whose every field sent has the value sent? A customer
    update whose answer was lost is then not sent a second time."""

    def carries(fresh: dict[str, Any]) -> bool:
        try:
            later = sent_token is None or int(str(fresh.get("SyncToken"))) > int(str(sent_token))
        except ValueError:
            later = True
        return later and all(_holds(v, fresh.get(k)) for k, v in body.items())

    return carries


def is_voided(record: dict[str, Any]) -> bool:
    """A voided transaction: QuickBooks zeroes it and starts its PrivateNote with "Voided"."""
    return str(record.get("PrivateNote") or "").startswith("Voided") and (_money(record.get("TotalAmt")) or 0) == 0

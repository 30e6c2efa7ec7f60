"""A refund of an overpayment's excess, paid back by cheque, exactly once.

An overpayment goes to QuickBooks with its excess left unapplied on the Payment (customer
credit, ``UnappliedAmt``). A RefundReceipt for that money would hit item income and the bank
and leave the credit open on Accounts Receivable (qbo-api.md, "Refunds, overpayments and
credits"). QuickBooks' help "Handle customer overpayments" (Intuit, QuickBooks Online) pays the
credit back instead by writing a cheque to the customer with Accounts Receivable as its
category, then linking the cheque to the credit. Through the API:

1. a ``Purchase`` with ``PaymentType: Check``, ``AccountRef`` the tenant's refund bank account
   (Intuit's Purchase reference: "a type of Check should have bank account"), ``EntityRef`` the
   customer and one ``AccountBasedExpenseLineDetail`` line coded to Accounts Receivable;
2. the cheque linked on the overpayment Payment itself: its full ``Line`` array sent back with
   one more line, ``LinkedTxn`` of ``TxnType: Check`` (a type Intuit's Payment reference lists
   for a payment line) for the refunded amount, and its ``SyncToken``. A zero-total Payment
   cannot link another Payment's credit, so the overpayment is the one that links it.

Exactly once: the cheque carries our tag (``[qbo-sync refund_check N]``) in ``PrivateNote`` and a
requestid made from the refund's id; it is recorded in the entity map as ``refund_check`` as
soon as QuickBooks answers, before it is linked. One not in our map (a lost answer) is found
among the payment's linked cheques, or by its tag among the customer's cheques, before
anything is posted; a link already on the Payment is not sent again. A refund voided in the app
is undone: the cheque's line is taken off the Payment (the credit is unapplied again), then the
cheque is deleted (QuickBooks refuses to delete a transaction a payment still links).

A refund goes this way when its payment is in QuickBooks and still holds at least the refunded
amount as unapplied credit; any other refund is a RefundReceipt (payments/refunds.py). Two
refunds of one credit in one run share it: the one that no longer fits beside the cheques
linked before it fails before anything is sent (``refund_credit_already_refunded``). A cheque is written only from a
bank account in the credit's currency (``refund_bank_account_currency`` otherwise).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.load.versioned import Written, write_versioned
from qbo_sync.money import ZERO
from qbo_sync.payments.edits import VOIDED
from qbo_sync.transform.invoice import DOC_NUMBER_MAX, payload_hash, private_note_tag

ENTITY = "refund"  # the app record, in the sync log
MAP_ENTITY = "refund_check"  # its cheque, in the entity map
RECEIVABLE = "Accounts Receivable"


def _requestid(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:36]


def _money(value: Any) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))


def check_links(payment: dict[str, Any]) -> dict[str, Decimal]:
    """Check Id -> the amount a QuickBooks Payment applies to it."""
    found: dict[str, Decimal] = {}
    for line in payment.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            if link.get("TxnType") == "Check":
                found[str(link.get("TxnId"))] = found.get(str(link.get("TxnId")), ZERO) + _money(line.get("Amount"))
    return found


def _with_lines(payment_id: str, payment: dict[str, Any], token: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """A sparse update of Payment ``payment_id`` (``payment``: as read) with its whole ``Line`` array."""
    return {
        "Id": payment_id,
        "SyncToken": token,
        "CustomerRef": payment["CustomerRef"],
        "TotalAmt": payment["TotalAmt"],
        "Line": lines,
    }


def _is(link: dict[str, Any], check_id: str) -> bool:
    return link.get("TxnType") == "Check" and str(link.get("TxnId")) == check_id


class Cheques:
    """Used by ``payments.refunds._Refunds``; ``poster`` is the run's ``payments.outbound.Poster``."""

    def __init__(self, poster: Any) -> None:
        self.p = poster
        self.settings = poster.settings
        self._accounts: dict[str, Any] = {}
        # Payment Id -> (amount, refund refs) of its credit the run's earlier cheques paid back
        # (linked after the payment was read), and the refunds found already linked on theirs.
        self._taken: dict[str, tuple[Decimal, list[str]]] = {}
        self._linked: set[int] = set()

    # ------------------------------------------------------------------ which way
    def route(self, rid: int, amount: Decimal, payment_qbo_id: str) -> dict[str, Any] | None:
        """The QuickBooks Payment when this refund pays back its unapplied credit by cheque (or
        already did: our cheque is linked on it), else None (a RefundReceipt)."""
        payment = self.p.client.read("Payment", payment_qbo_id)
        tag = private_note_tag(MAP_ENTITY, rid)
        for check_id in check_links(payment):
            if tag in (self.p.client.read("Purchase", check_id).get("PrivateNote") or ""):
                self._linked.add(rid)
                return payment  # ours, linked, its answer lost
        if _money(payment.get("UnappliedAmt")) >= amount:
            return payment
        return None

    def _room(self, row: dict[str, Any], payment: dict[str, Any], explained: Any) -> bool:
        """Does the credit still hold this refund beside the cheques this run linked on the same
        payment since it was read (every refund is read before any is sent)? Else explained:
        QuickBooks would refuse the link only after the cheque was written."""
        if row["id"] in self._linked or (row["check_qbo_id"] and row["check_qbo_id"] in check_links(payment)):
            return True
        unapplied = _money(payment.get("UnappliedAmt"))
        taken, refs = self._taken.get(str(payment["Id"]), (ZERO, []))
        if taken == ZERO or unapplied - taken >= row["amount"]:
            return True
        explained(
            "refund_credit_already_refunded",
            amount_text=str(row["amount"]),
            unapplied=unapplied,
            refunded=taken,
            refunds=", ".join(refs),
            left=unapplied - taken,
        )
        return False

    # ------------------------------------------------------------------ send
    def send(self, row: dict[str, Any], payment: dict[str, Any]) -> None:
        """Write (or find) the cheque, then link it on the payment; one outcome for the refund."""
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        p, rid, amount = self.p, row["id"], row["amount"]

        def explained(code: str, **context: object) -> None:
            ids = {"refund": row["ref"], "payment": row["payment_ref"]}
            p._explained(code, ENTITY, rid, row["ref"], amount, "create", **ids, **context)

        check_id, token, note = row["check_qbo_id"], row["check_sync_token"], []
        if not self._room(row, payment, explained):
            return
        try:
            if check_id is None:
                existing = self._tagged(rid, row["customer"], row["when"])
                if existing is not None:
                    check_id, token = str(existing["Id"]), str(existing.get("SyncToken"))
                    note.append(f"QuickBooks already had this cheque (Id {check_id}): an earlier answer was lost")
                else:
                    body = self._body(row, payment, explained)
                    if body is None:
                        return
                    made = p.client.create(
                        "Purchase", body, requestid=_requestid(p.realm_id, MAP_ENTITY, rid, "create")
                    ).entity
                    check_id, token = str(made["Id"]), str(made.get("SyncToken"))
                # In the map at once: a failed link is resumed next run, never a second cheque.
                p._map(MAP_ENTITY, rid, check_id, token, None, row["ref"])
            linked = self._link(rid, str(payment["Id"]), check_id, amount)
        except QboFaultError as exc:
            p._fault(ENTITY, rid, row["ref"], amount, exc.fault, "create")
            return
        except OutcomeUnknown:  # the next run looks for the cheque and the link before sending
            p._explained_unknown(ENTITY, rid, row["ref"], amount)
            return
        if linked.already:
            note.append("its link to the payment was already there")
        elif row["id"] not in self._linked:  # taken from the credit as read: later refunds see it
            taken, refs = self._taken.get(str(payment["Id"]), (ZERO, []))
            self._taken[str(payment["Id"])] = (taken + amount, [*refs, row["ref"]])
        said = (
            f"refunded {amount} of customer credit by cheque (Check Id {check_id}, coded to Accounts "
            f"Receivable) and linked it to payment {row['payment_ref']} (QuickBooks Payment Id {payment['Id']}), "
            f"whose unapplied credit it pays back"
        )
        p._synced(
            ENTITY,
            rid,
            row["ref"],
            amount,
            "create",
            check_id,
            token,
            note=said + (f" ({'; '.join(note)})" if note else ""),
            hash_=payload_hash({"check": check_id, "payment": str(payment["Id"]), "amount": amount}),
            map_entity=MAP_ENTITY,
        )
        refunded_at, reference, payment_id = row["state"]
        p.conn.execute(
            load_sql("payments/record_refund_state"),
            {
                "tenant_id": p.tenant_id,
                "entity": MAP_ENTITY,
                "source_id": rid,
                "amount": amount,
                "refunded_at": refunded_at,
                "reference": reference,
                "payment_id": payment_id,
            },
        )

    def _body(self, row: dict[str, Any], payment: dict[str, Any], explained: Any) -> dict[str, Any] | None:
        """The cheque for one refund, or None when a setting is missing (explained)."""
        bank_id = self.settings.refund_bank_account_id
        if not bank_id:
            explained("refund_bank_account_missing", amount_text=str(row["amount"]))
            return None
        bank = self._account(bank_id)
        if bank is None or bank.get("AccountType") != "Bank" or not bank.get("Active", True):
            kind = "missing from QuickBooks" if bank is None else f"of type {bank.get('AccountType')}"
            if bank is not None and not bank.get("Active", True):
                kind = "inactive"
            explained(
                "refund_bank_account_not_bank", amount_text=str(row["amount"]), account=bank_id, account_type=kind
            )
            return None
        # A cheque is in its bank account's currency (qbo-api.md "Multicurrency": one currency
        # per bank account; QuickBooks refuses a transaction in another); the credit it pays
        # back is in the payment's. Compared when both say theirs (QuickBooks states both).
        credit_in = ((payment.get("CurrencyRef") or {}).get("value") or "").upper()
        bank_in = ((bank.get("CurrencyRef") or {}).get("value") or "").upper()
        if credit_in and bank_in and credit_in != bank_in:
            explained(
                "refund_bank_account_currency",
                amount_text=str(row["amount"]),
                currency=credit_in,
                their_currency=bank_in,
                account_name=f"'{bank.get('Name')}'",
            )
            return None
        receivable = self._receivable()
        if receivable is None:
            explained("receivable_account_missing")
            return None
        body: dict[str, Any] = {
            "PaymentType": "Check",
            "AccountRef": {"value": bank_id},
            "EntityRef": {"value": row["customer"], "type": "Customer"},
            "TxnDate": row["when"].isoformat(),
            "PrivateNote": f"{private_note_tag(MAP_ENTITY, row['id'])} refund of customer credit, "
            f"payment {row['payment_ref']}"[:4000],
            "Line": [
                {
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "Amount": row["amount"],
                    "Description": (row["reason"] or f"Refund of credit from payment {row['payment_ref']}")[:4000],
                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": receivable}},
                }
            ],
        }
        if row["reference"] and len(row["reference"]) <= DOC_NUMBER_MAX:
            body["DocNumber"] = row["reference"]  # the cheque number, when the app's fits
        if payment.get("CurrencyRef"):  # the credit's currency: the cheque pays it back in it
            body["CurrencyRef"] = payment["CurrencyRef"]
            if payment.get("ExchangeRate") is not None:
                body["ExchangeRate"] = payment["ExchangeRate"]
        return body

    def _account(self, account_id: str) -> dict[str, Any] | None:
        from qbo_client import quote

        if account_id not in self._accounts:
            rows = self.p.client.query(f"select * from Account where Id = {quote(account_id)}")
            self._accounts[account_id] = rows[0] if rows else None
        return self._accounts[account_id]

    def _receivable(self) -> str | None:
        if RECEIVABLE not in self._accounts:
            rows = self.p.client.query("select * from Account where AccountType = 'Accounts Receivable'")
            active = sorted((r for r in rows if r.get("Active", True)), key=lambda r: int(str(r["Id"])))
            self._accounts[RECEIVABLE] = str(active[0]["Id"]) if active else None
        return self._accounts[RECEIVABLE]

    def _tagged(self, rid: int, customer: str, when: date) -> dict[str, Any] | None:
        """Our cheque for this refund if QuickBooks has it but our map does not (a lost answer)."""
        from qbo_client import quote

        since = (when - timedelta(days=1)).isoformat()
        rows = self.p.client.query(
            f"select * from Purchase where EntityRef = {quote(customer)} and TxnDate >= {quote(since)}"
        )
        tag = private_note_tag(MAP_ENTITY, rid)
        return next((r for r in rows if tag in (r.get("PrivateNote") or "")), None)

    def _link(self, rid: int, payment_id: str, check_id: str, amount: Decimal) -> Any:
        """The cheque linked on the payment (its full Line array sent back, one line more)."""
        p = self.p
        fresh = p.client.read("Payment", payment_id)

        def send(token: str) -> Any:
            current = fresh if str(fresh.get("SyncToken")) == token else p.client.read("Payment", payment_id)
            lines = [{"Amount": ln.get("Amount"), "LinkedTxn": ln.get("LinkedTxn")} for ln in current.get("Line") or []]
            lines.append({"Amount": amount, "LinkedTxn": [{"TxnId": check_id, "TxnType": "Check"}]})
            return p.client.update(
                "Payment",
                _with_lines(payment_id, current, token, lines),
                sparse=True,
                requestid=_requestid(p.realm_id, MAP_ENTITY, rid, "link", token),
            )

        def carries(record: dict[str, Any]) -> bool:
            return check_id in check_links(record)

        if carries(fresh):
            return Written(fresh, already=True)
        return write_versioned(p.client, "Payment", payment_id, str(fresh.get("SyncToken")), send, carries)

    # ------------------------------------------------------------------ undo
    def undo(self, row: dict[str, Any]) -> None:
        """A refund voided in the app: its cheque unlinked from the payment, then deleted."""
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        p, rid, check_id = self.p, row["id"], row["check_qbo_id"]
        if row["check_hash"] == VOIDED:
            p._unchanged(ENTITY, rid, row["ref"], row["amount"], check_id)
            return
        try:
            freed = ZERO
            if row["payment_qbo_id"]:
                freed = self._unlink(rid, row["payment_qbo_id"], check_id)

            def delete(token: str) -> Any:
                return p.client.delete(
                    "Purchase", check_id, token, requestid=_requestid(p.realm_id, "delete", MAP_ENTITY, rid, token)
                )

            write_versioned(
                p.client, "Purchase", check_id, row["check_sync_token"], delete, lambda fresh: False, gone_is_done=True
            )
        except QboFaultError as exc:
            p._fault(ENTITY, rid, row["ref"], row["amount"], exc.fault, "void")
            return
        except OutcomeUnknown:  # the next run tries again: a cheque already gone counts as deleted
            p._unknown_edit(ENTITY, rid, row["ref"], row["amount"], "void")
            return
        said = f"voided in the app: cheque (Check Id {check_id}) "
        if freed > ZERO:
            said += f"unlinked from payment {row['payment_ref']}, whose {freed} is unapplied customer credit again, "
            said += "and "
        p._synced(
            ENTITY,
            rid,
            row["ref"],
            row["amount"],
            "void",
            check_id,
            row["check_sync_token"],
            note=said + "deleted in QuickBooks",
            hash_=VOIDED,
            map_entity=MAP_ENTITY,
        )

    def _unlink(self, rid: int, payment_id: str, check_id: str) -> Decimal:
        """Take the cheque's line off the payment; what it applied there (0: not linked)."""
        from qbo_client.errors import QboFaultError

        p = self.p
        try:
            fresh = p.client.read("Payment", payment_id)
        except QboFaultError:
            return ZERO  # the payment is gone (deleted): nothing links the cheque
        freed = check_links(fresh).get(check_id, ZERO)
        if freed == ZERO:
            return ZERO

        def send(token: str) -> Any:
            current = fresh if str(fresh.get("SyncToken")) == token else p.client.read("Payment", payment_id)
            lines = [
                {"Amount": ln.get("Amount"), "LinkedTxn": ln.get("LinkedTxn")}
                for ln in current.get("Line") or []
                if not any(_is(lk, check_id) for lk in ln.get("LinkedTxn") or [])
            ]
            return p.client.update(
                "Payment",
                _with_lines(payment_id, current, token, lines),
                sparse=True,
                requestid=_requestid(p.realm_id, MAP_ENTITY, rid, "unlink", token),
            )

        write_versioned(
            p.client, "Payment", payment_id, str(fresh.get("SyncToken")), send, lambda r: check_id not in check_links(r)
        )
        return freed

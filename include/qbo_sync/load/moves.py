"""An invoice moved to another client in the billing app after it synced, while payments are
applied to it in QuickBooks (issue 18: "Payments moved ... move in QuickBooks too").

QuickBooks links a payment only to its own customer's transactions (qbo-api.md "Field rules":
620, TxnID Cannot Be Linked), so an invoice cannot change customer while payments stay applied
to it. Before the loader sends a batch's invoice updates, :meth:`InvoiceMoves.before_sending`:

* finds the moved ones: the customer the update names differs from the one the sync last wrote
  the invoice to (``entity_map.customer_qbo_id``, migration 0023), or, for an invoice linked by
  hand and never written by the sync (none recorded), from the one QuickBooks holds (read with
  the moved ones). None moved and none unknown: no request;
* reads them in one query (``select * from Invoice where Id in (...)``) and the Payments their
  ``LinkedTxn`` name in one more (the client paces both within the company's request budget);
* a payment made in QuickBooks (not one of the sync's app payments) or a credit note's
  application the sync did not leave as it is applied: the invoice fails before anything is
  sent (``catalog.entries_moves``: the payments by date, amount and reference, the old customer, what to do);
* only app payments applied: each is unlinked from the invoice first (a sparse update whose
  Line array leaves the invoice out: Intuit, a Payment's lines are all-or-nothing), the invoice
  goes as usual, and :meth:`InvoiceMoves.after_sending` links each payment again under the
  invoice's new customer (or its old one, when the invoice did not go); the sync's own credit
  applications move too (``load.credit_moves``). Changing a Payment's
  CustomerRef by an update is not documented by Intuit either way (unconfirmed; QuickBooks'
  screens allow it on a payment that applies nothing); the emulator accepts it.

Every write names the SyncToken read (or answered) and is looked up before it is sent again
after a lost answer (``load.versioned``), so nothing is applied twice. A payment unlinked is
marked in its recorded state (``sql/load/payment_moving.sql``) until it is linked again: if the
run stops in between, the next run's payment task links it to its invoice (payments/edits.py);
a credit note's application deleted for the move is marked the same way, and the next run's
credit-note task applies it again (``load.credit_moves``, ``payments.credit_resume``).
Each payment moved is an ``update`` outcome of its own in the sync log, saying what moved.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qbo_client import quote
from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.load.credit_moves import CreditMoved, CreditMoves, movable
from qbo_sync.load.versioned import write_versioned
from qbo_sync.money import ZERO


def _requestid(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:36]


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    return None if value in (None, "") else str(value)


def _links(record: dict[str, Any], txn_type: str) -> dict[str, Decimal]:
    """What ``record`` (a Payment) applies per linked transaction of ``txn_type``."""
    out: dict[str, Decimal] = {}
    for line in record.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            if link.get("TxnType") == txn_type:
                key = str(link.get("TxnId"))
                out[key] = out.get(key, ZERO) + Decimal(str(line.get("Amount") or 0))
    return out


def linked_payments(invoice: dict[str, Any] | None) -> list[str]:
    """The Payments QuickBooks lists as applied to ``invoice`` (its ``LinkedTxn``)."""
    links = (invoice or {}).get("LinkedTxn") or []
    return sorted({str(x.get("TxnId")) for x in links if x.get("TxnType") == "Payment"})


def describe(payment: dict[str, Any] | None, qbo_id: str) -> str:
    """A QuickBooks payment as finance finds it there: date, amount, reference, Id."""
    if not payment:
        return f"payment Id {qbo_id}"
    ref = payment.get("PaymentRefNum")
    return (
        f"{payment.get('TxnDate')} {Decimal(str(payment.get('TotalAmt') or 0)):.2f}"
        + (f" (reference {ref}" if ref else " (no reference")
        + f", QuickBooks payment Id {qbo_id})"
    )


@dataclass
class Moved:
    """An app payment unlinked so its invoice can move; linked again by ``after_sending``."""

    source_id: int
    reference: str | None
    amount: Decimal | None
    qbo_id: str
    sync_token: str
    applied: Decimal  # what it applied to the invoice
    invoice: Any  # the loader's Pending
    old_customer: str
    new_customer: str


class InvoiceMoves:
    """Used by ``BatchLoader.load_invoices`` around its send (``loader``: its connection, client,
    run and outcome bookkeeping)."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.moved: list[Moved] = []
        self.credits = CreditMoves(loader, lambda *parts: _requestid(loader.realm_id, *parts))

    # ------------------------------------------------------------------ before
    def before_sending(self, pending: list[Any]) -> list[Any]:
        """``pending`` less the moved invoices that cannot go; their app payments unlinked."""
        lo = self.loader
        updates = [p for p in pending if p.qbo_id]
        if not updates:
            return pending
        sent_to = dict(
            lo.conn.execute(
                load_sql("load/invoice_customers"),
                {"tenant_id": lo.tenant_id, "source_ids": [p.source_id for p in updates]},
            ).fetchall()
        )
        moved = {
            p.qbo_id: p
            for p in updates
            if sent_to.get(p.source_id) and sent_to[p.source_id] != _ref(p.body.get("CustomerRef"))
        }
        # Linked by hand (records link) and never written by the sync: the customer it is under
        # in QuickBooks is not recorded, so it is read with the moved ones (once: the update
        # that goes records it).
        unknown = {p.qbo_id: p for p in updates if not sent_to.get(p.source_id)}
        if not moved and not unknown:
            return pending
        literals = ", ".join(quote(q) for q in sorted({*moved, *unknown}))
        invoices = {str(r.get("Id")): r for r in lo.client.query(f"select * from Invoice where Id in ({literals})")}
        for qid, p in unknown.items():
            there = _ref((invoices.get(qid) or {}).get("CustomerRef"))
            if there and there != _ref(p.body.get("CustomerRef")):
                moved[qid], sent_to[p.source_id] = p, there
        if not moved:
            return pending
        linked = {q: linked_payments(invoices.get(q)) for q in moved}
        payment_ids = sorted({pid for ids in linked.values() for pid in ids})
        if not payment_ids:
            return pending  # nothing applied: the invoice moves as any edit
        literals = ", ".join(quote(q) for q in payment_ids)
        payments = {str(r.get("Id")): r for r in lo.client.query(f"select * from Payment where Id in ({literals})")}
        ours = {
            r[0]: r[1:]
            for r in lo.conn.execute(
                load_sql("load/our_payments_by_qbo"),
                {"tenant_id": lo.tenant_id, "realm_id": lo.realm_id, "qbo_ids": payment_ids},
            )
        }
        stopped: set[int] = set()
        for qid, p in moved.items():
            if linked[qid] and not self._prepare(p, sent_to[p.source_id], invoices[qid], linked[qid], payments, ours):
                stopped.add(p.source_id)
        return [p for p in pending if p.source_id not in stopped]

    def _prepare(
        self,
        p: Any,
        old_customer: str,
        invoice: dict[str, Any],
        payment_ids: list[str],
        payments: dict[str, dict[str, Any]],
        ours: dict[str, tuple],
    ) -> bool:
        """Unlink the app payments of one moved invoice; False: it fails (its outcome written)."""
        lo = self.loader
        new_customer = _ref(p.body.get("CustomerRef")) or ""
        old_name = ((invoice.get("CustomerRef") or {}).get("name") or "").strip()
        old_said = f"'{old_name}' (Id {old_customer})" if old_name else f"customer Id {old_customer}"
        number = p.body.get("DocNumber") or p.source_ref
        apps: list[tuple[str, tuple]] = []
        theirs: list[str] = []
        credits: list[str] = []
        ours_credits: list[CreditMoved] = []
        for pid in payment_ids:
            mine = ours.get(pid)
            payment = payments.get(pid) or {}
            only_this = set(_links(payment, "Invoice")) == {str(p.qbo_id)} and not _links(payment, "CreditMemo")
            if mine and mine[0] == "credit_application" and (credit := movable(payment, str(p.qbo_id))):
                cm = CreditMoved(mine[1], mine[2], pid, credit[0], credit[1], p, old_customer, new_customer)
                ours_credits.append(cm)  # the sync's own application of one credit note: it moves too
            elif mine and mine[0] == "credit_application":
                credits.append(f"'{mine[2]}' (applied by QuickBooks payment Id {pid})")
            elif mine and only_this:
                apps.append((pid, mine))
            else:  # made in QuickBooks, or one of ours that now pays more there: not the sync's to move
                theirs.append(describe(payments.get(pid), pid))
        if theirs or credits:
            code = "invoice_moved_with_quickbooks_payments" if theirs else "invoice_moved_with_credit_applied"
            with lo._writing():
                lo._failed_code(
                    "invoice",
                    p.source_id,
                    p.source_ref,
                    p.amount,
                    code,
                    action="update",
                    number=number,
                    old_customer=old_said,
                    payments="; ".join(theirs),
                    credit_notes="; ".join(credits),
                )
            return False
        done: list[Moved] = []
        for pid, (_entity, source_id, reference, amount) in apps:
            payment = payments[pid]
            m = Moved(
                source_id=source_id,
                reference=reference,
                amount=amount,
                qbo_id=pid,
                sync_token=str(payment.get("SyncToken")),
                applied=_links(payment, "Invoice")[str(p.qbo_id)],
                invoice=p,
                old_customer=old_customer,
                new_customer=new_customer,
            )
            if not self._unlink(m):
                for back in done:  # the invoice stays where it is: its payments go back on it
                    self._relink(back, back.old_customer, went=False)
                return False
            done.append(m)
        for cm in ours_credits:
            if not self.credits.unlink(cm, str((payments.get(cm.application_qbo) or {}).get("SyncToken"))):
                self.credits.put_back(p)
                for back in done:
                    self._relink(back, back.old_customer, went=False)
                return False
        self.moved.extend(done)
        said = ", ".join(
            [f"{m.reference or f'payment {m.source_id}'} ({m.applied:.2f})" for m in done]
            + [f"credit note {c.number} ({c.applied:.2f})" for c in ours_credits]
        )
        note = f"moved to QuickBooks customer Id {new_customer} with its payments {said}"
        p.extra["note"] = "; ".join(x for x in (p.extra.get("note"), note) if x)
        return True

    def _unlink(self, m: Moved) -> bool:
        """Payment ``m`` no longer applied to its invoice (it stays its old customer's credit)."""
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        lo = self.loader
        invoice_qbo = str(m.invoice.qbo_id)
        with lo.conn.transaction():  # marked before QuickBooks is touched (a stopped run: the payment task)
            lo.conn.execute(
                load_sql("load/payment_moving"),
                {
                    "tenant_id": lo.tenant_id,
                    "source_id": m.source_id,
                    "invoice_id": m.invoice.source_id,
                    "sync_token": m.sync_token,
                },
            )

        def send(token: str) -> Any:
            body = {"Id": m.qbo_id, "SyncToken": token, "Line": []}
            return lo.client.update(
                "Payment", body, sparse=True, requestid=_requestid(lo.realm_id, "unlink", m.qbo_id, token, invoice_qbo)
            )

        def unlinked(fresh: dict[str, Any]) -> bool:
            return invoice_qbo not in _links(fresh, "Invoice")

        try:
            done = write_versioned(lo.client, "Payment", m.qbo_id, m.sync_token, send, unlinked)
        except QboFaultError as exc:
            with lo._writing():
                lo._failed_fault("invoice", m.invoice, exc.fault, "update")
            return False
        except OutcomeUnknown:
            with lo._writing():
                lo._failed_code_transient("invoice", m.invoice)
            return False
        m.sync_token = str(done.entity.get("SyncToken"))
        return True

    # ------------------------------------------------------------------ after
    def after_sending(self) -> None:
        """Link every payment unlinked by ``before_sending`` again: under the invoice's new
        customer when the invoice went (the sync recorded it there), else as it was."""
        if not self.moved and not self.credits.moved:
            return
        lo = self.loader
        ids = {m.invoice.source_id for m in self.moved} | {c.invoice.source_id for c in self.credits.moved}
        now = dict(
            lo.conn.execute(
                load_sql("load/invoice_customers"), {"tenant_id": lo.tenant_id, "source_ids": sorted(ids)}
            ).fetchall()
        )
        self.credits.after_sending(now)
        for m in self.moved:
            went = now.get(m.invoice.source_id) == m.new_customer
            self._relink(m, m.new_customer if went else m.old_customer, went=went)
        self.moved = []

    def _relink(self, m: Moved, customer: str, *, went: bool) -> None:
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        lo = self.loader
        invoice_qbo = str(m.invoice.qbo_id)
        number = m.invoice.body.get("DocNumber") or m.invoice.source_ref
        body = {
            "CustomerRef": {"value": customer},
            "Line": [{"Amount": m.applied, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]}],
        }

        def carries(fresh: dict[str, Any]) -> bool:
            return _ref(fresh.get("CustomerRef")) == customer and _links(fresh, "Invoice") == {invoice_qbo: m.applied}

        def send(token: str) -> Any:
            return lo.client.update(
                "Payment",
                {**body, "Id": m.qbo_id, "SyncToken": token},
                sparse=True,
                requestid=_requestid(lo.realm_id, "relink", m.qbo_id, token, customer, invoice_qbo),
            )

        ref = m.reference or f"payment {m.source_id}"
        try:
            done = write_versioned(lo.client, "Payment", m.qbo_id, m.sync_token, send, carries)
        except QboFaultError as exc:  # left unlinked and marked: the next run's payment task links it
            self._payment_outcome(m, ref, failed=exc.fault)
            return
        except OutcomeUnknown:
            self._payment_outcome(m, ref, unknown=True)
            return
        with lo.conn.transaction():
            lo.conn.execute(
                load_sql("load/payment_moved"),
                {"tenant_id": lo.tenant_id, "source_id": m.source_id, "sync_token": str(done.entity.get("SyncToken"))},
            )
            if went:
                note = (
                    f"moved in QuickBooks with invoice {number} from customer Id {m.old_customer} to customer "
                    f"Id {customer}: unlinked before the invoice moved, {m.applied:.2f} applied to it again after"
                )
            else:
                note = (
                    f"unlinked for a move of invoice {number} to another customer; the invoice did not go "
                    f"(its own outcome says why), so {m.applied:.2f} was applied to it again as before"
                )
            if done.already:
                note += " (QuickBooks already had this: an earlier answer was lost; not sent again)"
            self._payment_outcome(m, ref, note=note)

    def _payment_outcome(
        self, m: Moved, ref: str, *, note: str = "", failed: Any = None, unknown: bool = False
    ) -> None:
        lo = self.loader
        common = {
            "tenant_id": lo.tenant_id,
            "realm_id": lo.realm_id,
            "entity": "payment",
            "source_id": m.source_id,
            "source_ref": ref,
            "amount": m.amount,
        }
        if unknown:
            outcomes.outcome_unknown(lo.conn, lo.ctx, action="update", **common)
            return
        if failed is not None:
            outcome = outcomes.from_fault(failed, action="update", **common)
        else:
            outcome = outcomes.Outcome(**common, action="update", status="synced", qbo_id=m.qbo_id, error_message=note)
        outcomes.record(lo.conn, lo.ctx, outcome)


def record_customers(conn: Any, tenant_id: int, written: list[Any]) -> None:
    """The customer each invoice in ``written`` (the loader's Pending) was just written to."""
    conn.execute(
        load_sql("load/record_invoice_customers"),
        {
            "tenant_id": tenant_id,
            "source_id": [p.source_id for p in written],
            "customer_qbo_id": [_ref(p.body.get("CustomerRef")) for p in written],
        },
    )

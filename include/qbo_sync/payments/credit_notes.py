"""Post a tenant's staged credit notes: each a CreditMemo, applied to its invoice through a
zero-amount Payment linking both, which is how QuickBooks applies credit.

Mixed into ``payments.outbound.Poster``: uses its connection, client and bookkeeping
(``_explained``, ``_fault``, ``_synced``, ``_unchanged``, ``_tagged``, ``_map``); the edits of
a credit note already in QuickBooks are ``payments.credit_edits``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.read import tax_rates
from qbo_sync.items.credit_notes import credit_note_items
from qbo_sync.money import ZERO, cents
from qbo_sync.transform.adjustments import cut
from qbo_sync.transform.currency import with_currency
from qbo_sync.transform.invoice import (
    DESCRIPTION_MAX,
    DOC_NUMBER_MAX,
    US_NON_TAXABLE,
    US_TAXABLE,
    payload_hash,
    private_note_tag,
)
from qbo_sync.transform.tax import net_amounts, tax_by_rate, txn_tax_detail


class CreditNotePosting:
    def post_credit_notes(self) -> None:
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        rows = self.conn.execute(
            load_sql("payments/read_credit_notes"), {"run_id": self.ctx.run_id, "tenant_id": self.tenant_id}
        ).fetchall()
        if not rows:
            return
        # A memo or application whose answer was lost (or whose task was killed) is in
        # QuickBooks but not in our map: find it by our tag instead of posting it again.
        # A memo is dated its issue date (or the day it was posted), an application the day it
        # was posted: never before the earliest issue or finalization date, less a day for the
        # company's time zone.
        todo = [r for r in rows if r[8] and not (r[10] and r[11]) and r[12] != "voided"]
        unmapped = {r[9] for r in todo}
        since = min([d for r in todo for d in (r[2], r[7] and r[7].date()) if d], default=None)
        since = since - timedelta(days=1) if since else date.min
        memos = self._tagged("CreditMemo", unmapped, since) if unmapped else {}
        applications = self._tagged("Payment", unmapped, since) if unmapped else {}
        lines: dict[int, list[tuple]] = {}
        line_items: dict[int, list[tuple]] = {}  # the catalog item of the invoice line each credits
        for cid, lid, desc, amount, rate_id, item_id, item_name in self.conn.execute(
            load_sql("payments/credit_note_lines"), {"ids": [r[0] for r in rows]}
        ):
            lines.setdefault(cid, []).append((lid, desc, amount, rate_id))
            line_items.setdefault(cid, []).append((lid, item_id, item_name))
        to_send = {r[0]: line_items.get(r[0], []) for r in rows if r[12] == "finalized" and r[8]}
        items = credit_note_items(
            self.conn, self.client, tenant_id=self.tenant_id, realm_id=self.realm_id, lines=to_send
        )
        rates = tax_rates(self.conn, self.tenant_id)
        moving = self.credits_moving([r[0] for r in rows])  # a move of their invoice stopped (credit_resume)
        for (
            nid,
            number,
            issue_date,
            total,
            reason,
            invoice_id,
            invoice_number,
            finalized_at,
            invoice_qbo,
            customer_qbo,
            memo_qbo,
            application_qbo,
            status,
            memo_token,
            memo_hash,
            old_total,
            old_invoice_id,
            application_token,
            put_back,
            changed_there,
            invoice_currency,
            invoice_rate,
        ) in rows:
            ref = number or f"credit note {nid}"
            action = "update" if memo_qbo else "create"
            with self.conn.transaction():
                if status == "voided":  # staged only while its CreditMemo is in QuickBooks
                    self.void_credit_note(
                        nid,
                        ref,
                        total,
                        invoice_number=invoice_number,
                        memo_qbo=memo_qbo,
                        memo_token=memo_token,
                        application_qbo=application_qbo,
                        application_token=application_token,
                    )
                    continue
                if status != "finalized":  # staged only because it is outside the source contract
                    self._explained(
                        "credit_note_status_unknown",
                        "credit_memo",
                        nid,
                        ref,
                        total,
                        action,
                        number=ref,
                        status="(not set)" if status is None else repr(status),
                    )
                    continue
                if not invoice_qbo and not self._invoice_exists(invoice_id):
                    self._explained(
                        "credit_note_invoice_missing",
                        "credit_memo",
                        nid,
                        ref,
                        total,
                        action,
                        number=ref,
                        invoice_id=invoice_id,
                    )
                    continue
                if not invoice_qbo:
                    code = (
                        "credit_note_for_historical_invoice"
                        if self._historical(finalized_at)
                        else "credit_note_invoice_not_synced"
                    )
                    self._explained(
                        code,
                        "credit_memo",
                        nid,
                        ref,
                        total,
                        action,
                        number=ref,
                        invoice_number=invoice_number,
                        reason=self._invoice_reason(invoice_id),
                    )
                    continue
                if nid in moving and memo_qbo:  # its application deleted for a move of its invoice
                    self.resume_credit_move(
                        nid, ref, total, moving[nid], memo_qbo=memo_qbo, invoice_qbo=invoice_qbo,
                        invoice_number=invoice_number, customer_qbo=customer_qbo,
                    )  # fmt: skip
                    continue
                problem = self._credit_note_problem(number, lines.get(nid, []))
                if problem:
                    self._explained(problem[0], "credit_memo", nid, ref, total, action, number=ref, **problem[1])
                    continue
                if nid in items.failed:  # a catalog item with no QuickBooks item (qbo_sync.items)
                    code, context = items.failed[nid]
                    self._explained(code, "credit_memo", nid, ref, total, action, number=ref, **context)
                    continue
                changed: list[str] = []  # adjustments made for QuickBooks
                body = self._credit_memo_body(
                    nid, number, issue_date, reason, customer_qbo, lines.get(nid, []), rates, changed, items.refs
                )
                if invoice_currency:  # a credit note of a foreign-currency invoice: its currency and rate
                    with_currency(body, invoice_currency.strip(), invoice_rate)
                body_hash = payload_hash(body)
                # Edited in the app since it was sent, or edited in QuickBooks and staged to be put back.
                if memo_qbo and (memo_hash != body_hash or put_back):
                    self.update_credit_note(
                        nid,
                        ref,
                        total,
                        body,
                        body_hash,
                        invoice_id=invoice_id,
                        invoice_number=invoice_number,
                        invoice_qbo=invoice_qbo,
                        customer_qbo=customer_qbo,
                        memo_qbo=memo_qbo,
                        memo_token=memo_token,
                        old_total=old_total,
                        old_invoice_id=old_invoice_id,
                        application_qbo=application_qbo,
                        application_token=application_token,
                        changed=changed,
                        legacy=memo_hash is None,
                        put_back=put_back,
                        changed_there=changed_there,
                    )
                    continue
                if memo_qbo and application_qbo:
                    self._unchanged("credit_memo", nid, ref, total, memo_qbo)
                    continue
                try:
                    if not memo_qbo:
                        memo = memos.get(private_note_tag("credit_memo", nid)) or (
                            self.client.create("CreditMemo", body).entity
                        )
                        memo_qbo, memo_token = str(memo["Id"]), str(memo.get("SyncToken"))
                        self._map("credit_memo", nid, memo_qbo, memo_token, body_hash, number)
                        self._record_state("credit_memo", nid, {"total": str(total), "invoice_id": invoice_id})
                    found = applications.get(private_note_tag("credit_application", nid))
                    if found and not application_qbo:
                        self._map_application(nid, found)
                        applied = Decimal(str(found["Line"][0]["Amount"])) if found.get("Line") else ZERO
                    else:
                        applied = self._apply_credit(nid, memo_qbo, invoice_qbo, customer_qbo)
                except QboFaultError as exc:
                    self._fault("credit_memo", nid, ref, total, exc.fault, "create")
                    continue
                except OutcomeUnknown:  # the next try or run finds it by its tag
                    self._explained_unknown("credit_memo", nid, ref, total)
                    continue
                self._synced(
                    "credit_memo",
                    nid,
                    ref,
                    total,
                    "create",
                    memo_qbo,
                    memo_token,
                    note=f"applied {applied} to invoice {invoice_number}",
                    hash_=body_hash,
                    adjustments=changed,
                )

    @staticmethod
    def _credit_note_problem(number: str | None, lines: list[tuple]) -> tuple[str, dict] | None:
        """What QuickBooks would refuse in a credit note (Intuit's API reference field rules), if anything."""
        if number and len(number) > DOC_NUMBER_MAX:
            return "credit_note_number_too_long", {"length": len(number)}
        if not lines:
            return "credit_note_no_lines", {}
        bad = next((amount for _, _, amount, _ in lines if amount is None or amount <= ZERO), False)
        if bad is not False:
            return "credit_note_amount_invalid", {"amount_text": str(bad)}
        return None

    def _credit_memo_body(
        self,
        nid: int,
        number: str | None,
        issue_date: Any,
        reason: str | None,
        customer_qbo: str,
        lines: list[tuple],
        rates: dict,
        adjustments: list[str] | None = None,
        item_refs: dict[int, str] | None = None,
    ) -> dict[str, Any]:
        """``item_refs``: line id -> the QuickBooks Item of the catalog item the line credits
        (items/credit_notes.py); a line without one goes to the default Service item."""
        us = self.settings.region == "US"
        # Credit note lines hold tax-inclusive amounts, as the app shows them: each goes out
        # at its net with the app's tax stated explicitly (transform/tax.py), so the memo's
        # total is the credit note's to the cent whatever QuickBooks' own rounding.
        taxed = [(amount, rate_id if rate_id in rates else None) for _, _, amount, rate_id in lines]
        tax = tax_by_rate(taxed, "inclusive", {rid: r.rate for rid, r in rates.items()}) or {}
        nets = net_amounts(taxed, tax)
        body_lines = []
        us_codes: set[str] = set()
        for position, ((lid, desc, amount, rate_id), net) in enumerate(zip(lines, nets, strict=False), start=1):
            code = rates[rate_id].qbo_tax_code_id if rate_id in rates else None
            if us:
                us_codes |= {code} - {None, US_TAXABLE, US_NON_TAXABLE}  # TAX/NON only mark lines
                code = US_NON_TAXABLE if code in (None, US_NON_TAXABLE) else US_TAXABLE
            elif code is None:
                code = self.settings.no_tax_code_id
            detail: dict[str, Any] = {
                "ItemRef": {"value": (item_refs or {}).get(lid) or self.settings.default_service_item_id},
                "Qty": Decimal(1),
                "UnitPrice": net,
            }
            if code:
                detail["TaxCodeRef"] = {"value": code}
            if not us:
                detail["TaxInclusiveAmt"] = amount
            body_lines.append(
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": net,
                    "Description": cut(
                        desc or reason or "Credit", DESCRIPTION_MAX, f"line {position} description", adjustments
                    ),
                    "SalesItemLineDetail": detail,
                }
            )
        total_tax = sum(tax.values(), ZERO)
        body: dict[str, Any] = {
            "CustomerRef": {"value": customer_qbo},
            "Line": body_lines,
            "PrivateNote": private_note_tag("credit_memo", nid),
            "GlobalTaxCalculation": "TaxInclusive" if not us else None,
            "TxnTaxDetail": txn_tax_detail(total_tax, min(us_codes, default=None))
            if (not us or us_codes or total_tax)
            else None,
        }
        if number:
            body["DocNumber"] = number
        if issue_date:
            body["TxnDate"] = issue_date.isoformat()
        return {k: v for k, v in body.items() if v is not None}

    def _apply_credit(self, nid: int, memo_qbo: str, invoice_qbo: str, customer_qbo: str) -> Decimal:
        """Apply the memo to its invoice (a zero Payment linking both); never more than the
        invoice still owes or the memo still holds."""
        memo = self.client.read("CreditMemo", memo_qbo)
        invoice = self.client.read("Invoice", invoice_qbo)
        amount = cents(
            min(
                Decimal(str(memo.get("RemainingCredit", memo.get("TotalAmt", 0)))),
                Decimal(str(invoice.get("Balance", 0))),
            )
        )
        if amount <= ZERO:
            return ZERO
        payment = self.client.create(
            "Payment",
            {
                "CustomerRef": {"value": customer_qbo},
                "TotalAmt": Decimal("0"),
                "PrivateNote": private_note_tag("credit_application", nid),
                "Line": [
                    {"Amount": amount, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]},
                    {"Amount": amount, "LinkedTxn": [{"TxnId": memo_qbo, "TxnType": "CreditMemo"}]},
                ],
            },
        ).entity
        self._map_application(nid, payment)
        return amount

    def _map_application(self, nid: int, payment: dict[str, Any]) -> None:
        self._map("credit_application", nid, str(payment["Id"]), str(payment.get("SyncToken")))

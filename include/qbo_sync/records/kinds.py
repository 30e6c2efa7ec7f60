"""The two kinds of record that link and unlink work on, and how they are named in words.

An app client is a QuickBooks customer; an app invoice is a QuickBooks invoice. The app record
is named as the billing app shows it ("invoice INV-0042 (invoice id 812)"), the QuickBooks one
as QuickBooks' screens do, its Id after the name ("the QuickBooks customer 'Jane Smith' (Id 58)").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Kind:
    entity: str  # our sync log's and map's entity
    app_kind: str  # what the billing app calls it
    qbo_entity: str  # QuickBooks' entity name
    qbo_kind: str  # in words
    app_flag: str  # the command's option for the app id
    qbo_flag: str  # the command's option for the QuickBooks Id

    def flags(self) -> dict[str, str]:
        return {
            "app_kind": self.app_kind,
            "qbo_kind": self.qbo_kind,
            "app_flag": self.app_flag,
            "qbo_flag": self.qbo_flag,
        }


CUSTOMER = Kind("customer", "client", "Customer", "customer", "--client-id", "--customer-id")
INVOICE = Kind("invoice", "invoice", "Invoice", "invoice", "--invoice-id", "--qbo-invoice-id")
KINDS = {k.entity: k for k in (CUSTOMER, INVOICE)}


@dataclass(frozen=True)
class AppRecord:
    """The app side: a client (name) or an invoice (number, client, status, origin, total)."""

    kind: Kind
    source_id: int
    ref: str | None  # the client's name, the invoice's number
    client_id: int | None = None
    status: str | None = None
    origin: str | None = None
    total: Decimal | None = None

    @property
    def label(self) -> str:
        if self.kind is CUSTOMER:
            return f"client {self.ref or '(no name)'} (client id {self.source_id})"
        return f"invoice {self.ref or '(no number)'} (invoice id {self.source_id})"


def app_record(conn: Any, kind: Kind, tenant_id: int, source_id: int) -> AppRecord | None:
    from qbo_sync.db.sqlfiles import load_sql

    params = {"tenant_id": tenant_id, "source_id": source_id}
    if kind is CUSTOMER:
        row = conn.execute(load_sql("records/app_client"), params).fetchone()
        return None if row is None else AppRecord(kind, int(row[0]), row[1])
    row = conn.execute(load_sql("records/app_invoice"), params).fetchone()
    if row is None:
        return None
    return AppRecord(kind, int(row[0]), row[1], client_id=row[2], status=row[3], origin=row[4], total=row[5])


def qbo_label(kind: Kind, row: dict[str, Any] | None, qbo_id: str) -> str:
    """A QuickBooks record in words, from what QuickBooks answered (or its Id alone)."""
    if not row:
        return f"the QuickBooks {kind.qbo_kind} you gave (Id {qbo_id})" if qbo_id else f"a QuickBooks {kind.qbo_kind}"
    if kind is CUSTOMER:
        return f"the QuickBooks customer '{row.get('DisplayName') or ''}' (Id {row.get('Id')})"
    number = f"'{row['DocNumber']}'" if row.get("DocNumber") else "without a number"
    customer = (row.get("CustomerRef") or {}).get("name")
    who = f" for the customer '{customer}'" if customer else ""
    return f"the QuickBooks invoice {number}{who}, dated {row.get('TxnDate') or 'without a date'} (Id {row.get('Id')})"


def mapped_label(kind: Kind, qbo_id: str, doc_number: str | None) -> str:
    """A QuickBooks record known from our map only (not read)."""
    if kind is INVOICE and doc_number:
        return f"the QuickBooks invoice '{doc_number}' (Id {qbo_id})"
    return f"the QuickBooks {kind.qbo_kind} our map gives it (Id {qbo_id})"


def inactive_state(kind: Kind, row: dict[str, Any]) -> str | None:
    """Why QuickBooks no longer uses the record ("inactive", "voided"), or None when it does.

    A customer is made inactive, never deleted (Intuit: Customer, "Active"); a voided invoice
    stays, its amounts zero and "Voided" in its private note (Intuit: Invoice, void)."""
    if kind is CUSTOMER:
        return None if row.get("Active", True) else "inactive"
    voided = Decimal(str(row.get("TotalAmt", 0) or 0)) == 0 and "Voided" in (row.get("PrivateNote") or "")
    return "voided" if voided else None

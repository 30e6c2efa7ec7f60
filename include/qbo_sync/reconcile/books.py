"""QuickBooks' side of a reconciliation, read with as few reads as possible.

Intuit meters reads (CorePlus calls) per app per month, so records are never read one by
one: one query per entity, ``select * from Invoice where Id IN ('1', '2', ...)``, at most
1,000 Ids a query and ``MAXRESULTS 1000`` a page (QuickBooks' largest page), so 1,000
records of an entity cost one read. Customers are queried with ``Active IN (true, false)``:
QuickBooks answers only active name-list records otherwise, and an inactive customer must be
seen to be reported. The client paces every read in the company's shared rate budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

IDS_PER_QUERY = 1000  # QuickBooks' largest page: one read per 1,000 records

QBO_ENTITY = {
    "invoice": "Invoice",
    "payment": "Payment",
    "credit_memo": "CreditMemo",
    "customer": "Customer",
    "refund": "RefundReceipt",
    "refund_check": "Purchase",  # a refund of credit paid back by cheque: a Check
}


def by_ids(client: Any, entity: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """QuickBooks' records of ``entity`` (Invoice, Payment, CreditMemo, Customer, RefundReceipt,
    Purchase) with these
    Ids, by Id; an Id QuickBooks no longer has is simply absent."""
    from qbo_client import quote

    wanted = sorted({str(i) for i in ids if i}, key=lambda v: (len(v), v))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), IDS_PER_QUERY):
        chunk = ", ".join(quote(v) for v in wanted[start : start + IDS_PER_QUERY])
        active = "Active IN (true, false) AND " if entity == "Customer" else ""
        for row in client.iter_query(f"select * from {entity} where {active}Id IN ({chunk})"):
            found[str(row["Id"])] = row
    return found

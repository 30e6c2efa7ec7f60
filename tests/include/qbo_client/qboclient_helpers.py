"""Payload builders shared by the client tests."""

from __future__ import annotations


def invoice_payload(company, customer_id, doc_number, *, item_id=None, qty="1", price="10.00"):
    from decimal import Decimal

    qty, price = Decimal(qty), Decimal(price)
    return {
        "DocNumber": doc_number,
        "CustomerRef": {"value": customer_id},
        "GlobalTaxCalculation": "TaxExcluded",
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": (qty * price).quantize(Decimal("0.01")),
                "SalesItemLineDetail": {
                    "ItemRef": {"value": item_id or company["service_item_id"]},
                    "Qty": qty,
                    "UnitPrice": price,
                    "TaxCodeRef": {"value": company["tax_codes"]["GST"]},
                },
            }
        ],
    }

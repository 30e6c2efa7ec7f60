"""Payments both ways: app payments, credit notes and voids out to QuickBooks
(``outbound``); QuickBooks payments back into the app (``inbound``)."""

"""Items and income accounts (issue 13 item 1): which QuickBooks product or service each
invoice line posts to, by the tenant's item policy.

* ``default``: service lines to the tenant's default Service item, product lines to its
  default Product item (the line description keeps the app's item name);
* ``match``: each ``billing.catalog_items`` row to the QuickBooks Item with its SKU, else its
  name (``match``); a catalog item without one fails its invoices, with the fix, before they
  are sent (``resolve``, called by invoice validation);
* ``create``: as ``match``, and a catalog item without one is created in QuickBooks before its
  invoice is sent, a Service or a NonInventory product, posting to the income account the
  tenant chose for that kind of item (``create``, called by the load).

The map (catalog item -> QuickBooks Item, how it was found, the app's name and SKU then) is
kept in ``qbo_sync.item_map`` and shown by ``python -m qbo_sync.tenants items``.
"""

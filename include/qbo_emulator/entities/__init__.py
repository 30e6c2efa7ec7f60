"""QuickBooks entities with QuickBooks' rules, one module per family.

``crud`` is the way in (create, read, update, delete, void, and ``insert`` for seeding); it
hands each entity to its family's builder: ``names`` (Customer, Vendor, Employee), ``lists``
(Item, Account, PaymentMethod), ``taxcodes`` (TaxCode), ``sales`` (Invoice, CreditMemo),
``payments`` (Payment) and ``refunds`` (RefundReceipt). ``preferences`` answers Preferences and
CompanyInfo; ``common`` holds what they all share (entity names, ``WriteContext``, ``public``...).
"""

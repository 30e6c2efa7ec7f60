"""Finance's hand on single records' place in QuickBooks: link an app record to a QuickBooks
record that already exists, or unlink it (``python -m qbo_sync.records``, and the Link and
Unlink buttons of the QuickBooks sync page). See ``qbo_sync.records.links``."""

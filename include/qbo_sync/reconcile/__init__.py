"""Reconciliation: do QuickBooks and the app agree, record by record, and if not, why not.

``compare`` (one record against its QuickBooks record), ``books`` (QuickBooks read with as few
reads as possible), ``explain`` (the sync log or QuickBooks' tax arithmetic says why they
differ, else unexplained), ``store`` (``qbo_sync.reconciliation``), ``run`` (a tenant: the
records a run touched, or all of them), ``report`` (the words).
"""

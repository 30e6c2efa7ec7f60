"""Tenant tracks: every tenant moves through a run on its own (extract -> validate -> load ->
payments out -> payments back), so that one tenant's throttling, outage, reconnect or backlog
never holds another back. lease.py: one run at a time per tenant; shards.py: how tenants are
grouped into tasks (few tasks for thousands of tenants, one per tenant for a few)."""

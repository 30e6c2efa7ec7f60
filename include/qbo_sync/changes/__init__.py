"""Changes made in QuickBooks to the records this sync wrote, read by each run's one change
data capture call (``qbo_sync.payments.inbound`` makes it, for payments and these alike).

``fingerprint`` says what finance cares about in a QuickBooks record and what differs;
``detect`` turns the captured changes into explained outcomes and the tenant's policy
(flag or app_wins) into what the next runs do (docs/operations.md, "Changes made in
QuickBooks").
"""

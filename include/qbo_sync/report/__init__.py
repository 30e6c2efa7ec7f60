"""Report: one readable block per tenant at the end of a run."""

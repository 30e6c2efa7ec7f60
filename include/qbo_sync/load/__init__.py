"""Load: send ready records to QuickBooks in batches and record what happened to each."""

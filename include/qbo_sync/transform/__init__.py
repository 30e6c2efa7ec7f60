"""Transform: source rows into QuickBooks Customer and Invoice JSON. No Airflow, no I/O."""

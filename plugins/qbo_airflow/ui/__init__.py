"""The "QuickBooks sync" page of the Airflow UI (FastAPI app, templates, stylesheet)."""

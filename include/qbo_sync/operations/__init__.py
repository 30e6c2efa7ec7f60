"""Finance's operations on the sync: resync, exclude and include records, and the data
the "QuickBooks sync" page shows. Plain Python over psycopg; no Airflow."""

"""qbo_sync: the library behind the QuickBooks Online sync.

The flow reads in package order: ``extract`` -> ``validate`` -> ``transform`` ->
``load`` -> ``payments`` (QuickBooks payments back) -> ``report``. ``db`` holds the
database plumbing and ``demo`` the demo-data generator. Nothing in this package
needs Airflow; the DAGs in ``dags/`` only wire these functions into tasks.
"""

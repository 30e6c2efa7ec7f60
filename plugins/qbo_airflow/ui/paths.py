"""Where the QuickBooks sync page lives under Airflow's API server."""

from __future__ import annotations

PREFIX = "/qbo-sync"

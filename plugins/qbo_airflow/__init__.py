"""The Airflow side of the QuickBooks sync: hooks and task helpers."""

from __future__ import annotations

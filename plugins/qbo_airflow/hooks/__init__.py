"""Airflow hooks of the QuickBooks sync."""

from __future__ import annotations

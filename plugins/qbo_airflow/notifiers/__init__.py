"""Alerts after qbo_sync runs (e-mail through Airflow's SMTP provider, JSON webhooks)."""

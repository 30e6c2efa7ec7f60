"""Registers the "QuickBooks sync" page with Airflow 3: the FastAPI app is mounted by the
API server at /qbo-sync, and a "QuickBooks sync" entry in the navigation opens it inside
the Airflow UI (external view with a url_route, so it stays under Airflow's menu)."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin


def _app():
    # Imported here so components that never serve HTTP (scheduler, workers) do not build it.
    from qbo_airflow.ui.app import app

    return app


class QboSyncUiPlugin(AirflowPlugin):
    name = "qbo_sync_ui"

    @property
    def fastapi_apps(self):  # type: ignore[override]
        return [{"app": _app(), "url_prefix": "/qbo-sync", "name": "QuickBooks sync"}]

    external_views = [
        {
            "name": "QuickBooks sync",
            "href": "/qbo-sync/",
            "destination": "nav",
            "url_route": "qbo-sync",
            "category": "browse",
        }
    ]

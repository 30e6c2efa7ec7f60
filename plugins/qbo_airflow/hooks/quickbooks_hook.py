"""``QuickBooksHook``: the ``quickbooks`` connection type, and QuickBooks clients per tenant.

The connection holds what belongs to the app, not to a company:

* login: the app's client id; password: its client secret;
* extra ``environment``: production | sandbox | custom (custom: ``api_base_url`` and
  ``discovery_url``, which is how the emulator is reached); ``minor_version`` (default 75);
* optional rate-budget overrides: ``requests_per_minute``, ``batches_per_minute``,
  ``max_concurrent``, ``minute_seconds``, ``throttle_wait_seconds``, ``max_tries``.

Company tokens rotate at run time and a task cannot update an Airflow connection, so they
live in the project's own table (``qbo_sync.companies``); this hook only wires the two
together, and masks every secret it meets (client secret, tokens) in task logs. Nothing
it returns is meant for XCom.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook

DEFAULT_DB_CONN_ID = "qbo_sync_db"

_EXTRA_FIELDS: dict[str, dict[str, Any]] = {
    "environment": {
        "label": "Environment",
        "type": "string",
        "default": "production",
        "description": "production, sandbox or custom",
    },
    "api_base_url": {
        "label": "API base URL (custom)",
        "type": "string",
        "default": "",
        "description": "e.g. http://qbo-emulator:8765 (only for custom)",
    },
    "discovery_url": {
        "label": "OpenID discovery URL (custom)",
        "type": "string",
        "default": "",
        "description": "e.g. http://qbo-emulator:8765/.well-known/openid_sandbox_configuration/",
    },
    "minor_version": {
        "label": "Minor version",
        "type": "integer",
        "default": 75,
        "description": "QuickBooks API minorversion (below 75 is treated as 75)",
    },
    "requests_per_minute": {
        "label": "Requests per minute per company",
        "type": "integer",
        "default": 500,
        "description": "QuickBooks' limit; the sync paces itself at 90% of it",
    },
    "batches_per_minute": {
        "label": "Batch requests per minute per company",
        "type": "integer",
        "default": 40,
        "description": "QuickBooks' batch limit",
    },
    "requests_per_second": {
        "label": "Requests per second per company",
        "type": "integer",
        "default": 10,
        "description": "QuickBooks' per-second limit; 0 turns this bound off",
    },
    "max_concurrent": {
        "label": "Requests at once per company",
        "type": "integer",
        "default": 10,
        "description": "QuickBooks' concurrency limit",
    },
    "minute_seconds": {
        "label": "Length of the rate-limit minute (s)",
        "type": "string",
        "default": "60",
        "description": "60 for QuickBooks; shorter only for the emulator",
    },
    "throttle_wait_seconds": {
        "label": "Wait after a 429 (s)",
        "type": "string",
        "default": "60",
        "description": "Intuit says wait 60 seconds",
    },
    "max_tries": {
        "label": "Tries per request",
        "type": "integer",
        "default": 10,
        "description": "attempts for transient failures (5xx, timeouts, gateways)",
    },
}


class QuickBooksHook(BaseHook):
    """QuickBooks Online clients for the tenants of this project."""

    conn_name_attr = "quickbooks_conn_id"
    default_conn_name = "quickbooks_default"
    conn_type = "quickbooks"
    hook_name = "QuickBooks Online"

    def __init__(
        self, quickbooks_conn_id: str = default_conn_name, *, database_conn_id: str = DEFAULT_DB_CONN_ID, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.quickbooks_conn_id = quickbooks_conn_id
        self.database_conn_id = database_conn_id
        self._settings = None

    def __repr__(self) -> str:
        return f"QuickBooksHook(quickbooks_conn_id={self.quickbooks_conn_id!r})"

    # --- UI -------------------------------------------------------------------------------
    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """The extra fields of the connection form. With the Flask UI's packages installed
        these are wtforms fields; without them (Airflow 3's default install) a plain
        description of the same fields, which is what provider.yaml's conn-fields hold."""
        try:
            from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
            from flask_babel import lazy_gettext
            from wtforms import IntegerField, StringField
        except ImportError:
            return {name: dict(spec) for name, spec in _EXTRA_FIELDS.items()}
        widgets: dict[str, Any] = {}
        for name, spec in _EXTRA_FIELDS.items():
            field = IntegerField if spec["type"] == "integer" else StringField
            widgets[name] = field(
                lazy_gettext(spec["label"]),
                widget=BS3TextFieldWidget(),
                description=spec["description"],
                default=spec["default"],
            )
        return widgets

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["host", "schema", "port"],
            "relabeling": {"login": "Client ID", "password": "Client Secret"},
            "placeholders": {
                "login": "the app's client id (Intuit developer portal > Keys & credentials)",
                "password": "the app's client secret",
                "extra": '{"environment": "production", "minor_version": 75}',
                "environment": "production | sandbox | custom",
                "api_base_url": "http://qbo-emulator:8765",
                "discovery_url": "http://qbo-emulator:8765/.well-known/openid_sandbox_configuration/",
            },
        }

    # --- settings and clients -----------------------------------------------------------------
    def get_app_settings(self):
        """The app's settings from the connection (client secret masked in logs)."""
        from qbo_sync.companies.settings import AppSettings

        if self._settings is None:
            conn = self.get_connection(self.quickbooks_conn_id)
            if conn.password:
                _mask(conn.password)
            self._settings = AppSettings.from_connection(conn.login, conn.password, conn.extra_dejson)
        return self._settings

    def get_conn(self):
        return self.get_app_settings()

    def get_client(self, tenant_id: int, db: Any = None, **kwargs: Any):
        """A :class:`qbo_client.QboClient` for the tenant's company. ``db``: a psycopg
        connection or URL of the project database (default: the ``qbo_sync_db`` connection).
        Every token the client reads or receives is masked in the task log. Close it after
        use (``with hook.get_client(t) as qbo:``)."""
        from qbo_sync.companies import client_for_tenant

        if db is None:
            db = self._database_uri()
        return client_for_tenant(db, tenant_id, settings=self.get_app_settings(), on_secret=_mask, **kwargs)

    def _database_uri(self) -> str:
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        uri = PostgresHook(postgres_conn_id=self.database_conn_id).get_uri()
        return uri.replace("postgresql+psycopg://", "postgresql://", 1)

    def test_connection(self) -> tuple[bool, str]:
        """Reads the environment's OpenID discovery document with the configured settings."""
        try:
            settings = self.get_app_settings()
            settings.oauth_app().endpoint("token_endpoint")
        except Exception as error:  # noqa: BLE001 - the UI shows the message; it never holds the secret
            return False, str(error)
        return True, f"QuickBooks {settings.environment.name}: discovery document read"


def _mask(value: str) -> None:
    from airflow.sdk.log import mask_secret

    mask_secret(value)

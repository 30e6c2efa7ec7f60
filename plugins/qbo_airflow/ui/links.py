"""Link / Unlink on the sync page: attach an app client or invoice to a record that already
exists in QuickBooks, or forget that link (``qbo_sync.records.links``, the same rules and
refusals as ``python -m qbo_sync.records``).

``POST /links`` needs what the page's other actions need: an Airflow login with read access
to qbo_sync's runs, the page's form token (bound to the login), leave to create runs of
``qbo_resync`` (a viewer reads, never acts) and the tenant granted to the user (the tenant
access map). The page does the link itself, as Connect does, rather than through a
``qbo_resync`` run: the answer (done, or refused with the fix) is shown at once, and the
record's history in ``qbo_sync.sync_log`` names the user who pressed the button.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

log = logging.getLogger(__name__)

FILTER_FIELDS = ("status", "entity", "date_from", "date_to", "q")
ACTIONS = ("link", "unlink")


def install(
    app: FastAPI,
    *,
    reader: Callable[..., Any],
    may_act: Callable[[Any], None],
    database: Callable[[], Any],
    require_tenant: Callable[[Any, Any, int], None],
) -> None:
    """Add the route. ``may_act(viewer)`` raises 403 unless the user may use the page's actions;
    ``require_tenant(viewer, conn, tenant_id)`` raises 403 unless the tenant is granted."""

    @app.post("/links")
    def link_or_unlink(
        request: Request,
        viewer: Any = Depends(reader),
        action: str = Form(...),
        tenant_id: int = Form(...),
        entity: str = Form(...),
        source_id: int = Form(...),
        csrf: str = Form(...),
        qbo_id: str = Form(""),
        replace: str = Form(""),
        linked_by_mistake: str = Form(""),
        back: str = Form(""),
    ) -> Response:
        from qbo_sync.records.links import LinkRefused, link, unlink

        if not hmac.compare_digest(csrf, viewer.csrf):
            raise HTTPException(status_code=403, detail="the form is stale or not from this page; reload it")
        may_act(viewer)
        if action not in ACTIONS:
            raise HTTPException(status_code=400, detail=f"unknown action {action!r}; choose link or unlink")
        if entity not in ("customer", "invoice"):
            raise HTTPException(status_code=400, detail="only clients (customers) and invoices can be linked")
        kind, text = "msg", ""
        with database() as conn:
            require_tenant(viewer, conn, tenant_id)
            try:
                factory = _client_factory(conn)
                if action == "link":
                    done = link(
                        conn,
                        factory,
                        tenant_id=tenant_id,
                        entity=entity,
                        source_id=source_id,
                        qbo_id=qbo_id,
                        acted_by=viewer.name,
                        replace=bool(replace),
                        via="QuickBooks sync page",
                    )
                else:
                    done = unlink(
                        conn,
                        factory,
                        tenant_id=tenant_id,
                        entity=entity,
                        source_id=source_id,
                        acted_by=viewer.name,
                        linked_by_mistake=bool(linked_by_mistake),
                        via="QuickBooks sync page",
                    )
                text = done.text()
            except LinkRefused as refused:
                kind, text = "error", f"{action.capitalize()} refused ({refused.code}): {refused}"
            except _SetupError as problem:
                kind, text = "error", f"{action.capitalize()} could not check QuickBooks: {problem}"
        log.info("%s asked %s for tenant %s %s %s: %s", viewer.name, action, tenant_id, entity, source_id, text)
        kept = [(k, v) for k, v in parse_qsl(back) if k in FILTER_FIELDS]
        query = urlencode([("tenant_id", tenant_id), *kept]) + "&" + viewer.flash(kind, text.replace("\n", " "))
        return RedirectResponse(f"{request.scope.get('root_path', '')}/?{query}", status_code=303)


class _SetupError(RuntimeError):
    """The QuickBooks app or the token key is not configured where the page runs."""


def _client_factory(conn: Any) -> Callable[[int], Any]:
    """A QuickBooks client for a tenant, with the app of Airflow connection quickbooks_default
    (else the environment) and the token key QBO_SYNC_FERNET_KEY, made only when asked."""
    from qbo_airflow.ui.connect import app_settings
    from qbo_sync.companies import AppSettingsError, EncryptionKeyError, client_for_tenant

    def factory(tenant_id: int) -> Any:
        try:
            return client_for_tenant(conn, tenant_id, settings=app_settings())
        except (AppSettingsError, EncryptionKeyError) as exc:
            raise _SetupError(str(exc)) from None

    return factory

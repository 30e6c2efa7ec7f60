"""The "QuickBooks sync" page: a FastAPI app the Airflow API server mounts at ``/qbo-sync``
(see plugins/qbo_sync_ui_plugin.py).

Server-rendered HTML, no JavaScript needed. Every route but the stylesheet needs an
Airflow login: the user comes from Airflow's own JWT (the ``_token`` cookie the UI sets, or
an ``Authorization: Bearer`` header), checked by Airflow's auth manager. Reading needs
read access to the qbo_sync DAG's runs; the buttons trigger ``qbo_resync`` through
Airflow's REST API with the user's own token, so Airflow decides whether they may.

Tenants: a user sees and acts on the tenants granted to them or their Airflow role
(``qbo_sync.tenants.access``); an Airflow admin sees all, anyone else none. Every response
forbids framing by other sites (``Content-Security-Policy: frame-ancestors 'self'``).
Messages after an action come back signed for the user (``flash``), never as free text.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from qbo_airflow.ui import flash

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SYNC_DAG, RESYNC_DAG = "qbo_sync", "qbo_resync"
COOKIE = "_token"  # airflow.api_fastapi.auth.managers.base_auth_manager.COOKIE_NAME_JWT_TOKEN
API_URL_ENV = "QBO_SYNC_AIRFLOW_API_URL"
FRAME_POLICY = "frame-ancestors 'self'"
FILTER_FIELDS = ("status", "entity", "date_from", "date_to", "q")

templates = Jinja2Templates(directory=str(HERE / "templates"))


class Viewer:
    """The signed-in Airflow user and the token that proves it (used to call the API)."""

    def __init__(self, user: Any, token: str):
        self.user = user
        self.token = token

    @property
    def name(self) -> str:
        return str(getattr(self.user, "get_name", lambda: "?")())

    @property
    def roles(self) -> tuple[str, ...]:
        from qbo_sync.tenants.access import roles_of

        return roles_of(self.user)

    def scope(self, conn: Any) -> Any:
        """The tenants this user may see (qbo_sync.tenants.access.Scope)."""
        from qbo_sync.tenants.access import scope_of

        return scope_of(conn, self.name, self.roles)

    def flash(self, kind: str, text: str) -> str:
        """A message for the page, signed for this user (see qbo_airflow.ui.flash)."""
        return flash.query(self.token, kind, text)

    @property
    def csrf(self) -> str:
        # Only someone holding the user's token (an httponly cookie) can compute this.
        return hmac.new(self.token.encode(), b"qbo-sync-ui-form", hashlib.sha256).hexdigest()


def _token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


async def _authenticate(request: Request) -> Viewer:
    """Airflow's user for this request, or HTTP 401/403 (as Airflow's own API answers)."""
    from airflow.api_fastapi.core_api.security import resolve_user_from_token

    token = _token_of(request)
    user = await resolve_user_from_token(token)  # raises 401 without a token, 403 if invalid
    return Viewer(user, token or "")


def _allowed(viewer: Viewer, method: str, dag_id: str) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import (
        DagAccessEntity,
        DagDetails,
    )

    return get_auth_manager().is_authorized_dag(
        method=method, access_entity=DagAccessEntity.RUN, details=DagDetails(id=dag_id), user=viewer.user
    )


def _authorize(viewer: Viewer, method: str, dag_id: str) -> None:
    if not _allowed(viewer, method, dag_id):
        raise HTTPException(status_code=403, detail=f"{viewer.name} may not {method} runs of {dag_id}")


def tenant_forbidden(viewer: Viewer, tenant_id: int, scope: Any) -> HTTPException:
    return HTTPException(
        status_code=403,
        detail=(
            f"{viewer.name} may not see or act on tenant {tenant_id}: it is not granted to this user or "
            f"their roles. {scope.how_to_grant}"
        ),
    )


def require_tenant(viewer: Viewer, conn: Any, tenant_id: int) -> None:
    """HTTP 403 unless the user may see ``tenant_id`` (the tenant access map)."""
    scope = viewer.scope(conn)
    if not scope.allows(tenant_id):
        raise tenant_forbidden(viewer, tenant_id, scope)


def may_act(viewer: Viewer) -> None:
    """The page's actions (resync, exclude, include, link, unlink, connect) need leave to start
    qbo_resync."""
    _authorize(viewer, "POST", RESYNC_DAG)


async def reader(request: Request) -> Viewer:
    """Financial data is for users who may read qbo_sync's runs."""
    viewer = await _authenticate(request)
    _authorize(viewer, "GET", SYNC_DAG)
    return viewer


async def page_reader(request: Request) -> Viewer:
    """Like ``reader``, but a browser without a login is sent to Airflow's login page."""
    try:
        return await reader(request)
    except HTTPException as exc:
        if exc.status_code != 401:
            raise
        from airflow.api_fastapi.app import get_auth_manager

        login = get_auth_manager().get_url_login(next_url=str(request.url))
        raise HTTPException(status_code=307, headers={"Location": login}, detail="login required") from None


def database():
    """The project database: Airflow connection ``qbo_sync_db``, else QBO_SYNC_DATABASE_URL
    (or the embedded database of a dev machine)."""
    from qbo_sync.db.connection import connect, database_url

    try:
        from airflow.providers.postgres.hooks.postgres import PostgresHook
        from airflow.sdk.exceptions import AirflowNotFoundException

        conn = PostgresHook(postgres_conn_id="qbo_sync_db").get_conn()
        conn.autocommit = True
        return conn
    except AirflowNotFoundException:
        return connect(database_url(), autocommit=True)


def reconciliation_panel(conn: Any, tenant_id: int) -> dict[str, Any]:
    """The tenant's reconciliation panel: its latest reconciliation (what agrees, what differs
    and why) and the chart of the last 30 days, drawn here as inline SVG."""
    from markupsafe import Markup

    from qbo_airflow.ui import chart
    from qbo_sync.reconcile import report, store

    latest = store.latest(conn, tenant_id)
    result = store.run_results(conn, latest.run_id).get(tenant_id) if latest else None
    return {
        "latest": latest,
        "agreement": report.agreement(result) if result and latest.state == "done" else None,
        "differences": result.differences[: report.SHOWN] if result else [],
        "chart": Markup(chart.svg(store.daily(conn, tenant_id))),  # numbers and escaped text only
    }


def create_app() -> FastAPI:
    app = FastAPI(title="QuickBooks sync", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def _no_framing(request: Request, call_next: Any) -> Response:
        # Every answer (pages, CSV, redirects, errors): only Airflow's own pages may frame it.
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = FRAME_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without CSP 2
        return response

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 307 and exc.headers and "Location" in exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=307)
        return Response(
            f"{exc.status_code}: {exc.detail}\n",
            status_code=exc.status_code,
            media_type="text/plain",
            headers={"Cache-Control": "no-store"},
        )

    @app.get("/", response_class=HTMLResponse)
    def page(
        request: Request,
        viewer: Viewer = Depends(page_reader),
        tenant_id: int | None = Query(None),
        status: str | None = None,
        entity: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        q: str | None = None,
        msg: str | None = None,
        error: str | None = None,
        sig: str | None = None,
    ) -> Response:
        from qbo_sync.catalog import explain
        from qbo_sync.operations import views

        # Only messages this server signed for this user; a link's own text is not shown.
        msg = flash.verified(viewer.token, "msg", msg, sig)
        error = flash.verified(viewer.token, "error", error, sig)
        try:
            filters = views.Filters.parse(status, entity, date_from, date_to, q)
        except views.BadFilter as exc:
            filters, error = views.Filters(), str(exc)
        with database() as conn:
            scope = viewer.scope(conn)
            if tenant_id is not None and not scope.allows(tenant_id):
                raise tenant_forbidden(viewer, tenant_id, scope)
            tenants = scope.filter(views.tenants(conn))
            current = (
                next((t for t in tenants if t["tenant_id"] == tenant_id), None)
                or next((t for t in tenants if t["realm_id"]), None)
                or (tenants[0] if tenants else None)
            )
            names = {t["tenant_id"]: t["tenant_name"] for t in tenants}
            loads = [
                {**x, "tenant_name": names[x["tenant_id"]]}
                for x in views.loads_in_flight(conn)
                if x["tenant_id"] in names
            ]
            data: dict[str, Any] = {"runs": [], "counts": {}, "records": []}
            if current:
                tid = current["tenant_id"]
                data = {
                    "runs": views.last_runs(conn, tid),
                    "counts": views.status_counts(conn, tid),
                    "records": views.records(conn, tid, filters),
                    "reconciliation": reconciliation_panel(conn, tid),
                }
        reconnect_fix = None
        if current and current["status"] == "reconnect_required":
            reconnect_fix = explain("reconnect_required", tenant_id=current["tenant_id"])[2]
        return templates.TemplateResponse(
            request,
            "page.html",
            {
                "viewer": viewer,
                "tenants": tenants,
                "tenant": current,
                "filters": filters,
                "statuses": views.STATUSES,
                "entities": ("invoice", "customer", "credit_memo", "payment"),
                "csv_query": urlencode({"tenant_id": current["tenant_id"], **filters.query()}) if current else "",
                "back_query": urlencode(filters.query()),
                "page_rows": views.PAGE_ROWS,
                "reconnect_fix": reconnect_fix,
                "msg": msg,
                "error": error,
                **data,
                "loads": loads,
                "no_access": None if tenants or scope.every else scope.how_to_grant,
                "can_act": _allowed(viewer, "POST", RESYNC_DAG),
            },
            headers={"Cache-Control": "no-store"},
        )

    @app.get("/records.csv")
    def records_csv(
        tenant_id: int,
        viewer: Viewer = Depends(reader),
        status: str | None = None,
        entity: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        q: str | None = None,
    ) -> Response:
        from qbo_sync.operations import views

        try:
            filters = views.Filters.parse(status, entity, date_from, date_to, q)
        except views.BadFilter as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        with database() as conn:
            require_tenant(viewer, conn, tenant_id)
            body = views.records_csv(conn, tenant_id, filters)
        log.info("%s exported the sync log of tenant %s as CSV", viewer.name, tenant_id)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="qbo-sync-tenant-{tenant_id}.csv"',
                "Cache-Control": "no-store",
            },
        )

    @app.post("/actions")
    async def action(
        request: Request,
        viewer: Viewer = Depends(reader),
        action: str = Form(...),
        tenant_id: int = Form(...),
        entity: str | None = Form(None),
        source_id: int | None = Form(None),
        csrf: str = Form(...),
        back: str = Form(""),
    ) -> Response:
        if not hmac.compare_digest(csrf, viewer.csrf):
            raise HTTPException(status_code=403, detail="the form is stale or not from this page; reload it")
        _authorize(viewer, "POST", RESYNC_DAG)
        if action not in ("resync_failed", "resync", "exclude", "include"):
            raise HTTPException(status_code=400, detail=f"unknown action {action!r}")
        if action != "resync_failed" and (not entity or source_id is None):
            raise HTTPException(status_code=400, detail=f"{action} needs a record")
        with database() as conn:
            require_tenant(viewer, conn, tenant_id)
        conf = {
            "action": action,
            "tenant_id": tenant_id,
            "entity": entity,
            "source_ids": [] if source_id is None else [source_id],
            "sync_now": True,
            "note": f"from the QuickBooks sync page by {viewer.name}",
        }
        ok, text = await trigger_resync(request, viewer, conf)
        log.info(
            "%s asked %s for tenant %s %s %s: %s", viewer.name, action, tenant_id, entity or "", source_id or "", text
        )
        # Back to the same filters: only the filter fields of ``back`` (a form value) are kept.
        kept = [(k, v) for k, v in parse_qsl(back) if k in FILTER_FIELDS]
        query = urlencode([("tenant_id", tenant_id), *kept]) + "&" + viewer.flash("msg" if ok else "error", text)
        return RedirectResponse(f"{request.scope.get('root_path', '')}/?{query}", status_code=303)

    from qbo_airflow.ui import connect, links

    connect.install(
        app, reader=reader, page_reader=page_reader, may_act=may_act, database=database, require_tenant=require_tenant
    )
    links.install(app, reader=reader, may_act=may_act, database=database, require_tenant=require_tenant)
    return app


class ApiAddressError(RuntimeError):
    """Where Airflow's REST API answers is not configured; the message says what to set."""


def _api_root(request: Request) -> str:
    """Where this Airflow's REST API answers, from configuration only, never from the
    request's Host header (a forged Host would make the server post the user's token to
    an address of the sender's choice): QBO_SYNC_AIRFLOW_API_URL, else Airflow's
    ``[api] base_url``, else the socket this API server accepted the request on (the
    local address the server itself listens at, not a header)."""
    configured = os.environ.get(API_URL_ENV, "").strip()
    if configured:
        return configured.rstrip("/")
    from airflow.configuration import conf

    base = (conf.get("api", "base_url", fallback="") or "").strip().rstrip("/")
    if base.startswith(("http://", "https://")):
        return base
    server = request.scope.get("server")
    if server and server[1]:
        host = str(server[0])
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{server[1]}"
    raise ApiAddressError(
        f"the page cannot tell where Airflow's REST API answers: set {API_URL_ENV} (e.g. "
        "http://localhost:8080) or Airflow's [api] base_url"
    )


async def trigger_resync(request: Request, viewer: Viewer, conf: dict[str, Any]) -> tuple[bool, str]:
    """POST /api/v2/dags/qbo_resync/dagRuns as the user; returns (ok, message for the page)."""
    import httpx

    try:
        root = _api_root(request)
    except ApiAddressError as exc:
        return False, f"Could not start {RESYNC_DAG}: {exc}."
    headers = {"Authorization": f"Bearer {viewer.token}"}
    # Never follow a redirect: the user's token goes to the configured API address only.
    async with httpx.AsyncClient(timeout=30, follow_redirects=False) as client:
        try:
            response = await client.post(
                f"{root}/api/v2/dags/{RESYNC_DAG}/dagRuns",
                headers=headers,
                json={"logical_date": None, "conf": conf, "note": conf["note"]},
            )
        except httpx.HTTPError as exc:
            return False, (
                f"Could not reach Airflow's REST API to start {RESYNC_DAG} ({type(exc).__name__}): "
                f"set {API_URL_ENV} or Airflow's [api] base_url to the address the API "
                "server answers at from this machine."
            )
        if response.status_code not in (200, 201):
            detail = _detail(response)
            return False, f"Airflow refused to start {RESYNC_DAG} (HTTP {response.status_code}): {detail}"
        run_id = response.json().get("dag_run_id")
        dag = await client.get(f"{root}/api/v2/dags/{RESYNC_DAG}", headers=headers)
    what = {"resync_failed": "Resync of all failures", "resync": "Resync", "exclude": "Exclude", "include": "Include"}[
        conf["action"]
    ]
    text = f"{what} requested: {RESYNC_DAG} run {run_id} started"
    if dag.status_code == 200 and dag.json().get("is_paused"):
        text += f" - but {RESYNC_DAG} is paused: unpause it in Airflow for the run to go"
    return True, text + "."


def _detail(response: Any) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text
    return str(detail)[:300]


app = create_app()

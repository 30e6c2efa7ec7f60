"""The ASGI application: QuickBooks' API, its OAuth endpoints and the /_emulator control API.

Routes are plain Starlette routes returning pre-serialised bytes: no pydantic, no
dependency injection and no per-request logging on the hot path.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.routing import Route

from .api import Api
from .config import EmulatorConfig
from .control import Control
from .limits import RateLimiter, ReadMeter
from .oauth import AUTHORIZE_PATH, JWKS_PATH, REVOKE_PATH, TOKEN_PATH, USERINFO_PATH, OAuth, discovery, jwks
from .responses import CaptureTransport
from .store import Store


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """Build an emulator with its own, empty state. ``app.state.store`` holds the state."""
    config = config or EmulatorConfig()
    store = Store(config)
    limiter = RateLimiter(config)
    meter = ReadMeter(config)
    api = Api(store, limiter, config, meter)
    oauth = OAuth(store)
    control = Control(store, limiter, meter)

    app = FastAPI(title="QuickBooks Online emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.limiter = limiter
    app.state.meter = meter
    app.state.config = config

    def ctl(handler: Any) -> Any:
        async def endpoint(request: Any) -> Any:
            return await control.dispatch(request, handler)

        return endpoint

    routes = [
        Route("/v3/company/{realm_id}/{rest:path}", api.endpoint, methods=["GET", "POST"]),
        Route("/.well-known/openid_configuration/", discovery, methods=["GET"]),
        Route("/.well-known/openid_configuration", discovery, methods=["GET"]),
        Route("/.well-known/openid_sandbox_configuration/", discovery, methods=["GET"]),
        Route("/.well-known/openid_sandbox_configuration", discovery, methods=["GET"]),
        Route(AUTHORIZE_PATH, oauth.authorize, methods=["GET"]),
        Route(TOKEN_PATH, oauth.token, methods=["POST"]),
        Route(REVOKE_PATH, oauth.revoke, methods=["POST"]),
        Route(USERINFO_PATH, oauth.userinfo, methods=["GET"]),
        Route(JWKS_PATH, jwks, methods=["GET"]),
        Route("/_emulator/health", ctl(control.health), methods=["GET"]),
        Route("/_emulator/apps", ctl(control.create_app), methods=["POST"]),
        Route(
            "/_emulator/apps/{client_id}/redirect_uris", ctl(control.redirect_uris), methods=["GET", "POST", "DELETE"]
        ),
        Route("/_emulator/apps/{client_id}/reads", ctl(control.reads), methods=["GET", "PUT"]),
        Route("/_emulator/companies", ctl(control.create_company), methods=["POST"]),
        Route("/_emulator/companies/{realm_id}/limits", ctl(control.limits), methods=["GET", "PATCH"]),
        Route("/_emulator/companies/{realm_id}", ctl(control.patch_company), methods=["PATCH"]),
        Route("/_emulator/companies/{realm_id}/faults", ctl(control.add_fault), methods=["POST"]),
        Route("/_emulator/companies/{realm_id}/faults", ctl(control.list_faults), methods=["GET", "DELETE"]),
        Route("/_emulator/companies/{realm_id}/refusals", ctl(control.refusals), methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/companies/{realm_id}/chaos", ctl(control.chaos), methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/companies/{realm_id}/requests", ctl(control.requests_log), methods=["GET"]),
        Route("/_emulator/companies/{realm_id}/stats", ctl(control.stats), methods=["GET"]),
        Route("/_emulator/companies/{realm_id}/preferences", ctl(control.patch_preferences), methods=["PATCH"]),
        Route("/_emulator/companies/{realm_id}/tokens", ctl(control.issue_tokens), methods=["POST"]),
        Route("/_emulator/companies/{realm_id}/merge", ctl(control.merge), methods=["POST"]),
        Route("/_emulator/reset", ctl(control.reset), methods=["POST"]),
        Route("/_emulator/clock", ctl(control.clock), methods=["GET", "POST"]),
    ]
    # The API route first: it is the hot path and Starlette matches routes in order.
    app.router.routes[:0] = routes
    app.add_middleware(CaptureTransport)
    return app

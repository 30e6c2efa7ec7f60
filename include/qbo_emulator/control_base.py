"""What every /_emulator/ control handler shares (control.py, control_faults.py): the state it
works on, its JSON body, the company it names, and a bad request answered as 400."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .limits import RateLimiter, ReadMeter
from .responses import json_response
from .store import Company, Store
from .util import loads


class BadRequest(Exception):
    pass


class ControlBase:
    def __init__(self, store: Store, limiter: RateLimiter, meter: ReadMeter | None = None) -> None:
        self.store = store
        self.limiter = limiter
        self.meter = meter or ReadMeter(store.config)

    async def _body(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            body = loads(raw)
        except ValueError:
            raise BadRequest("body is not JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object")
        return body

    def _company(self, request: Request) -> Company | None:
        return self.store.companies.get(request.path_params["realm_id"])

    async def dispatch(self, request: Request, handler: Any) -> Response:
        try:
            return await handler(request)
        except BadRequest as error:
            return json_response({"error": str(error)}, 400)

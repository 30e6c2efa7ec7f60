"""The /_emulator/ controls that make QuickBooks say no or slow down, for tests and chaos runs:
queued faults, business refusals (refusals.py), seeded chaos, a company's rate limits and an
app's monthly read budget. Mixed into ``control.Control``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .control_base import BadRequest, ControlBase
from .limits import RATE_SETTINGS
from .responses import json_response
from .store import ChaosRule, Company, FaultRule

FAULT_KINDS = ("throttle", "server_error", "html", "empty", "reset", "timeout", "commit_then_drop")
# Queued only, never drawn by chaos: "someone else saved this record just before you" (5010),
# which QuickBooks answers to an update or void only, never to a create or a read.
QUEUED_ONLY_KINDS = ("stale_object",)


def _fault_shape(body: dict[str, Any]) -> tuple[str | None, int | None, float]:
    """What a queued fault and a chaos rule share: which paths, which status, how long."""
    path_contains = body.get("path_contains")
    if path_contains is not None and not isinstance(path_contains, str):
        raise BadRequest("path_contains must be a string")
    status = body.get("status")
    if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
        raise BadRequest("status must be an HTTP status code")
    try:
        seconds = float(body.get("seconds", 30))
    except (TypeError, ValueError):
        raise BadRequest("seconds must be a number") from None
    return path_contains, status, seconds


class FaultControls(ControlBase):
    async def add_fault(self, request: Request) -> Response:
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        body = await self._body(request)
        kind = body.get("kind")
        if kind not in FAULT_KINDS + QUEUED_ONLY_KINDS:
            raise BadRequest(f"kind must be one of {list(FAULT_KINDS + QUEUED_ONLY_KINDS)}")
        count = body.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BadRequest("count must be a positive integer")
        path_contains, status, seconds = _fault_shape(body)
        company.fault_rules.append(FaultRule(kind, count, path_contains, status, seconds))
        return json_response({"queued": [self._rule_json(r) for r in company.fault_rules]}, 201)

    async def refusals(self, request: Request) -> Response:
        """``POST {"entity", "operation": "update", "id", "count": 1, "code": "6000", "message"?,
        "detail"?, "element"?}``: QuickBooks refuses the next ``count`` such writes of that record
        with a ValidationFault (refusals.py); ``GET`` lists those queued, ``DELETE`` clears them."""
        from .refusals import parse
        from .store import ALL_ENTITIES

        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        if request.method == "POST":
            try:
                company.refusals.append(parse(await self._body(request), ALL_ENTITIES))
            except ValueError as exc:
                raise BadRequest(str(exc)) from None
        elif request.method == "DELETE":
            company.refusals.clear()
        status = 201 if request.method == "POST" else 200
        return json_response({"refusals": [r.as_json() for r in company.refusals]}, status)

    @staticmethod
    def _rule_json(rule: FaultRule) -> dict[str, Any]:
        return {
            "kind": rule.kind,
            "remaining": rule.remaining,
            "path_contains": rule.path_contains,
            "status": rule.status,
            "seconds": rule.seconds,
        }

    async def list_faults(self, request: Request) -> Response:
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        if request.method == "DELETE":
            company.fault_rules.clear()
        return json_response({"queued": [self._rule_json(r) for r in company.fault_rules]})

    @staticmethod
    def _chaos_json(company: Company) -> dict[str, Any]:
        chaos = company.chaos
        if chaos is None:
            return {"active": False}
        return {
            "active": True,
            "seed": chaos.seed,
            "probability": chaos.probability,
            "kinds": list(chaos.kinds),
            "path_contains": chaos.path_contains,
            "status": chaos.status,
            "seconds": chaos.seconds,
            "injected": dict(sorted(chaos.injected.items())),
        }

    async def chaos(self, request: Request) -> Response:
        """``POST {"seed", "probability", "kinds"?, "path_contains"?, "status"?, "seconds"?}``:
        every matching API call fails at random (queued faults still go first); ``GET``
        shows it with the counts injected by kind; ``DELETE`` stops it and returns them."""
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        if request.method == "GET":
            return json_response(self._chaos_json(company))
        if request.method == "DELETE":
            shown = self._chaos_json(company)
            company.chaos = None
            return json_response(shown)
        body = await self._body(request)
        seed = body.get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise BadRequest("seed must be an integer")
        probability = body.get("probability")
        if (
            not isinstance(probability, (int, float, Decimal))
            or isinstance(probability, bool)
            or not 0 <= probability <= 1
        ):
            raise BadRequest("probability must be a number from 0 to 1")
        kinds = body.get("kinds", list(FAULT_KINDS))
        if not isinstance(kinds, list) or not kinds or any(k not in FAULT_KINDS for k in kinds):
            raise BadRequest(f"kinds must be a non-empty list of {list(FAULT_KINDS)}")
        path_contains, status, seconds = _fault_shape(body)
        company.chaos = ChaosRule(seed, float(probability), tuple(kinds), path_contains, status, seconds)
        return json_response(self._chaos_json(company), 201)

    async def limits(self, request: Request) -> Response:
        """``PATCH {"requests_per_second": 5, ...}``: this company's rate limits (any of
        requests_per_minute, requests_per_second - 0 turns it off -, batches_per_minute,
        max_concurrent); ``GET`` shows those in force."""
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        if request.method == "GET":
            return json_response(self.limiter.limits(company.realm_id))
        body = await self._body(request)
        changes = {}
        for key, value in body.items():
            if key not in RATE_SETTINGS:
                raise BadRequest(f"unknown limit {key!r}; known: {list(RATE_SETTINGS)}")
            lowest = 0 if key == "requests_per_second" else 1
            if not isinstance(value, int) or isinstance(value, bool) or value < lowest:
                raise BadRequest(f"{key} must be an integer of at least {lowest}")
            changes[key] = value
        return json_response(self.limiter.set_limits(company.realm_id, **changes))

    async def reads(self, request: Request) -> Response:
        """``PUT {"monthly_budget": N}`` (null: unlimited): the app's CorePlus calls a month;
        ``GET``: the budget and this month's use (emulator clock, UTC)."""
        client_id = request.path_params["client_id"]
        if client_id not in self.store.apps:
            return json_response({"error": "unknown client_id"}, 404)
        if request.method == "PUT":
            body = await self._body(request)
            budget = body.get("monthly_budget")
            if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool) or budget < 0):
                raise BadRequest("monthly_budget must be a non-negative integer or null")
            self.meter.set_budget(client_id, budget)
        return json_response(self.meter.usage(client_id, self.store.clock.now().strftime("%Y-%m")))

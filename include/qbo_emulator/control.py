"""The control API under /_emulator/ (not part of QuickBooks): companies, faults, clock, logs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from .entities.preferences import CLASS_TRACKING_MODES, LOCATION_LABELS, preferences_changed
from .limits import RATE_SETTINGS, RateLimiter, ReadMeter
from .responses import json_response
from .seed import new_company
from .store import DEFAULT_PREFERENCES, REGIONS, ChaosRule, Company, FaultRule, Grant, Store
from .terms import STANDARD_TERMS
from .util import loads

FAULT_KINDS = ("throttle", "server_error", "html", "empty", "reset", "timeout", "commit_then_drop")
# Queued only, never drawn by chaos: "someone else saved this record just before you" (5010),
# which QuickBooks answers to an update or void only, never to a create or a read.
QUEUED_ONLY_KINDS = ("stale_object",)


class BadRequest(Exception):
    pass


def _prefs(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadRequest("preferences must be an object")
    prefs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in DEFAULT_PREFERENCES:
            raise BadRequest(f"unknown preference {key!r}; known: {sorted(DEFAULT_PREFERENCES)}")
        if key == "closed_books_date":
            if value is not None:
                try:
                    value = date.fromisoformat(str(value)).isoformat()
                except ValueError:
                    raise BadRequest("closed_books_date must be YYYY-MM-DD or null") from None
        elif key == "default_terms":
            names = [name for name, _ in STANDARD_TERMS]
            if value is not None and str(value).lower() not in (n.lower() for n in names):
                raise BadRequest(f"default_terms must be null or one of {names}")
        elif key == "class_tracking":
            if value not in CLASS_TRACKING_MODES:
                raise BadRequest(f"class_tracking must be one of {list(CLASS_TRACKING_MODES)}")
        elif key == "location_terminology":
            if value not in LOCATION_LABELS:
                raise BadRequest(f"location_terminology must be one of {list(LOCATION_LABELS)}")
        elif not isinstance(value, bool):
            raise BadRequest(f"{key} must be true or false")
        prefs[key] = value
    return prefs


def _redirect_uris(body: dict[str, Any], required: bool) -> list[str]:
    """Absolute http(s) URLs without a fragment (RFC 6749 3.1.2). Intuit also wants https
    and no IP address outside localhost/sandbox; the emulator, itself plain http on
    127.0.0.1, does not enforce that (README "OAuth")."""
    uris = body.get("redirect_uris")
    if uris is None and not required:
        return []
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise BadRequest("redirect_uris must be a non-empty list of URLs")
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
            raise BadRequest(f"redirect URI {uri!r} must be an absolute http(s) URL without a fragment")
    return list(dict.fromkeys(uris))


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


class Control:
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

    # --- handlers ---------------------------------------------------------------------------
    async def health(self, request: Request) -> Response:
        return json_response({"status": "ok", "companies": len(self.store.companies)})

    async def create_app(self, request: Request) -> Response:
        """``POST {"redirect_uris": [...]?}``: another app, with its registered redirect URIs."""
        uris = _redirect_uris(await self._body(request), required=False)
        app = self.store.create_app(uris)
        return json_response(
            {"client_id": app.client_id, "client_secret": app.client_secret, "redirect_uris": app.redirect_uris}, 201
        )

    async def redirect_uris(self, request: Request) -> Response:
        """The app's registered redirect URIs (Intuit: Keys & OAuth > Redirect URIs). ``GET``
        lists them; ``POST {"redirect_uris": [...]}`` adds; ``DELETE`` the same body removes."""
        app = self.store.apps.get(request.path_params["client_id"])
        if app is None:
            return json_response({"error": "unknown client_id"}, 404)
        if request.method != "GET":
            uris = _redirect_uris(await self._body(request), required=True)
            if request.method == "POST":
                app.redirect_uris.extend(u for u in uris if u not in app.redirect_uris)
            else:
                app.redirect_uris[:] = [u for u in app.redirect_uris if u not in uris]
        return json_response({"client_id": app.client_id, "redirect_uris": app.redirect_uris})

    async def create_company(self, request: Request) -> Response:
        store = self.store
        body = await self._body(request)
        region = body.get("region", "US")
        if region not in REGIONS:
            raise BadRequest(f"region must be one of {sorted(REGIONS)}")
        prefs = _prefs(body.get("preferences"))
        client_id = body.get("client_id") or store.config.client_id
        app = store.apps.get(client_id)
        if app is None:
            raise BadRequest(f"unknown client_id {client_id!r}; create it with POST /_emulator/apps")
        company = new_company(store, region, prefs, client_id)
        _, refresh = store.issue_tokens(Grant(company.realm_id, client_id))
        ids = company.created_ids
        return json_response(
            {
                "realm_id": company.realm_id,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "refresh_token": refresh.token,
                "region": region,
                "preferences": company.preferences,
                "service_item_id": ids["service_item_id"],
                "product_item_id": ids["product_item_id"],
                "undeposited_funds_account_id": ids["undeposited_funds_account_id"],
                "bank_account_id": ids["bank_account_id"],
                "income_account_id": ids["income_account_id"],
                "receivable_account_id": ids["receivable_account_id"],
                "discount_account_id": ids["discount_account_id"],
                "tax_codes": ids["tax_codes"],
                "tax_rates": ids["tax_rates"],
                "payment_methods": ids["payment_methods"],
                "terms": ids["terms"],
            },
            201,
        )

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

    async def requests_log(self, request: Request) -> Response:
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        return json_response({"requests": list(company.request_log)})

    async def stats(self, request: Request) -> Response:
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        return json_response(company.stats.as_json())

    async def patch_preferences(self, request: Request) -> Response:
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        changes = _prefs(await self._body(request))
        if company.preferences.get("multicurrency") and changes.get("multicurrency") is False:
            # QuickBooks: once multicurrency is on, it can never be turned off (Intuit's API reference).
            raise BadRequest("multicurrency cannot be turned off once it is on (as in QuickBooks)")
        company.preferences.update(changes)
        preferences_changed(company)  # a person saved the settings: a new version of the object
        return json_response(company.preferences)

    async def patch_company(self, request: Request) -> Response:
        """``{"subscription_active": false}``: the subscription lapsed, every call gets 403 (3100)."""
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        body = await self._body(request)
        if "subscription_active" in body:
            if not isinstance(body["subscription_active"], bool):
                raise BadRequest("subscription_active must be true or false")
            company.subscription_active = body["subscription_active"]
        return json_response(
            {
                "realm_id": company.realm_id,
                "region": company.region,
                "subscription_active": company.subscription_active,
                "preferences": company.preferences,
            }
        )

    async def merge(self, request: Request) -> Response:
        """``{"entity": "Customer", "from_id": "5", "into_id": "7"}``: what a person does in QuickBooks'
        screens by giving customer 5 customer 7's name (entities/merge.py); not an API call."""
        from .entities.merge import MergeRefused, merge_customers

        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        body = await self._body(request)
        if body.get("entity", "Customer") != "Customer":
            raise BadRequest("only customers can be merged here")
        try:
            return json_response(merge_customers(company, str(body.get("from_id")), str(body.get("into_id"))))
        except MergeRefused as exc:
            raise BadRequest(str(exc)) from None

    async def issue_tokens(self, request: Request) -> Response:
        """A fresh connection (access + refresh token) for a company, skipping the OAuth dance."""
        company = self._company(request)
        if company is None:
            return json_response({"error": "unknown realm"}, 404)
        body = await self._body(request)
        client_id = body.get("client_id") or company.client_id
        if client_id not in self.store.apps:
            raise BadRequest("unknown client_id")
        access, refresh = self.store.issue_tokens(Grant(company.realm_id, client_id))
        return json_response(self.store.token_response(access, refresh), 201)

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

    async def reset(self, request: Request) -> Response:
        self.store.reset()
        self.limiter.reset()
        self.meter.reset()
        return json_response({"status": "reset"})

    async def clock(self, request: Request) -> Response:
        if request.method == "POST":
            body = await self._body(request)
            seconds = body.get("advance_seconds", 0)
            if not isinstance(seconds, (int, float, Decimal)) or isinstance(seconds, bool) or seconds < 0:
                raise BadRequest("advance_seconds must be a non-negative number")
            frozen = body.get("frozen")
            if frozen is not None and not isinstance(frozen, bool):
                raise BadRequest("frozen must be true or false")
            self.store.clock.advance(float(seconds))
            if frozen is not None:
                self.store.clock.freeze(frozen)
        return json_response(
            {
                "now": self.store.clock.now().isoformat(),
                "offset_seconds": self.store.clock.offset,
                "frozen": self.store.clock.frozen_at is not None,
            }
        )

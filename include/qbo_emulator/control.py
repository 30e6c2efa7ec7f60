"""The control API under /_emulator/ (not part of QuickBooks): apps, companies and their data,
preferences, tokens, logs, clock and reset here; faults, refusals, chaos and rate limits in
control_faults.py; what every handler shares in control_base.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from .control_base import BadRequest
from .control_faults import FaultControls
from .entities.preferences import CLASS_TRACKING_MODES, LOCATION_LABELS, preferences_changed
from .responses import json_response
from .seed import new_company
from .store import DEFAULT_PREFERENCES, REGIONS, Grant
from .terms import STANDARD_TERMS


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


class Control(FaultControls):
    """Every /_emulator/ handler (routes in app.py): these, and the fault controls mixed in."""

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

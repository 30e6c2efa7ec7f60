"""The Accounting API v3 under /v3/company/{realm}/...: auth, limits, faults, replay, dispatch.

Order of checks for every call: access token (401) -> realm and subscription (403) ->
throttling (429) -> metered reads past the app's monthly budget (429) -> injected fault ->
requestid replay -> the operation itself. The
operation runs synchronously (no awaits), so writes never interleave.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from . import batch, cdc, currency, faults
from .config import EmulatorConfig
from .entities import crud
from .entities.common import ENTITY_BY_PATH, WriteContext, public
from .entities.preferences import company_info_json, preferences_json, update_preferences
from .faults import QBOError
from .limits import RateLimiter, ReadMeter
from .query import execute
from .responses import HTML, JSON, XML, drop_connection, json_response, raw_response
from .store import Company, FaultRule, Store
from .util import dumps, format_response_time, loads

logger = logging.getLogger("qbo_emulator")

REQUESTID_MAX = 50
REQUESTID_MAX_BATCH = 36
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class Outcome:
    """What a handled call answered: status, bytes, media type."""

    __slots__ = ("status", "body", "media_type")

    def __init__(self, status: int, body: bytes, media_type: str = JSON) -> None:
        self.status = status
        self.body = body
        self.media_type = media_type

    def response(self, extra_headers: dict[str, str] | None = None) -> Response:
        return raw_response(self.body, self.status, self.media_type, extra_headers)


def _bearer(scope: dict) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            text = value.decode("latin-1")
            if text[:7].lower() == "bearer ":
                return text[7:].strip()
            return None
    return None


def match_fault(company: Company, target: str, chaos: bool = False) -> FaultRule | None:
    """Take one use of the first queued fault whose path_contains matches ``target``;
    with ``chaos`` (API calls only), else maybe a random one from the company's chaos rule."""
    for rule in company.fault_rules:
        if rule.path_contains is None or rule.path_contains in target:
            rule.remaining -= 1
            if rule.remaining <= 0:
                company.fault_rules.remove(rule)
            company.stats.faults_by_kind[rule.kind] += 1
            return rule
    if chaos and company.chaos is not None:
        drawn = company.chaos.draw(target)
        if drawn is not None:
            company.stats.faults_by_kind[drawn.kind] += 1
        return drawn
    return None


def throttle_outcome(company: Company | None, store: Store) -> Outcome:
    offset = company.utc_offset if company else 0
    body = faults.THROTTLE_XML.format(time=format_response_time(store.clock.now(), offset))
    return Outcome(429, body.encode(), XML)


def reads_blocked_outcome(company: Company, store: Store) -> Outcome:
    body = faults.READS_BLOCKED_XML.format(time=format_response_time(store.clock.now(), company.utc_offset))
    return Outcome(429, body.encode(), XML)


def metered_calls(method: str, segment: str, body: bytes) -> int:
    """CorePlus ("data out") calls in one request: a GET (read, query, CDC, report), a POST
    query, and each Query item of a batch. Creates, updates, deletes and voids are Core."""
    if method == "GET":
        return 1
    if segment == "query":
        return 1
    if segment == "batch" and b"Query" in body:
        try:
            items = loads(body).get("BatchItemRequest") or []
        except (ValueError, AttributeError):
            return 0  # malformed: the batch itself answers the fault
        return sum(1 for item in items if isinstance(item, dict) and "Query" in item)
    return 0


def injected_outcome(rule: FaultRule, company: Company | None, store: Store) -> Outcome:
    """The answer for throttle / server_error / html / empty / stale_object faults."""
    offset = company.utc_offset if company else 0
    if rule.kind == "throttle":
        return throttle_outcome(company, store)
    if rule.kind == "server_error":
        error = faults.system_failure(rule.status or 500)
        body = {"Fault": error.fault_json(), "time": format_response_time(store.clock.now(), offset)}
        return Outcome(error.status, dumps(body))
    if rule.kind == "html":
        status = rule.status or 502
        html = faults.GATEWAY_HTML.format(status=status, reason=_REASONS.get(status, "Bad Gateway"))
        return Outcome(status, html.encode(), HTML)
    if rule.kind == "empty":
        return Outcome(rule.status or 200, b"", JSON)
    if rule.kind == "stale_object":  # another user saved the record first: nothing applied
        error = faults.stale_object()
        body = {"Fault": error.fault_json(), "time": format_response_time(store.clock.now(), offset)}
        return Outcome(error.status, dumps(body))
    raise ValueError(rule.kind)


async def apply_connection_fault(rule: FaultRule, request: Request) -> None:
    if rule.kind == "timeout":
        await asyncio.sleep(rule.seconds)
    await drop_connection(request)


def log_request(
    company: Company,
    scope: dict,
    status: int | None,
    requestid: str | None,
    fault_kind: str | None,
    started: float,
    store: Store,
) -> None:
    company.request_log.append(
        {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode("latin-1"),
            "status": status,
            "requestid": requestid,
            "time": store.clock.now().isoformat(),
            "fault": fault_kind,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        }
    )


class Api:
    def __init__(
        self, store: Store, limiter: RateLimiter, config: EmulatorConfig, meter: ReadMeter | None = None
    ) -> None:
        self.store = store
        self.limiter = limiter
        self.config = config
        self.meter = meter or ReadMeter(config)

    async def endpoint(self, request: Request) -> Response:
        scope = request.scope
        started = time.perf_counter()
        store = self.store
        parts = scope["path"].split("/")  # ['', 'v3', 'company', realm, segment, ...]
        realm_id = parts[3] if len(parts) > 3 else ""
        company = store.companies.get(realm_id)
        now_text = format_response_time(store.clock.now(), company.utc_offset if company else 0)

        token = _bearer(scope)
        access = store.access_tokens.get(token) if token else None
        if access is None or access.grant.revoked or access.expires_at <= store.clock.time():
            detail = "Token expired: " + (token or "")[:12] if access is not None else "Token invalid"
            outcome = Outcome(401, dumps(faults.authentication_failed_body(detail, now_text)))
            if company is not None:
                company.stats.requests += 1
                log_request(company, scope, 401, None, None, started, store)
            return outcome.response({"WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"'})
        if company is None or access.grant.realm_id != realm_id or not company.subscription_active:
            error = faults.authorization_failed()
            if company is not None:
                company.stats.requests += 1
                log_request(company, scope, 403, None, None, started, store)
            return json_response({"Fault": error.fault_json(), "time": now_text}, 403)

        segment = parts[4].lower() if len(parts) > 4 else ""
        method = scope["method"]
        is_batch = segment == "batch" and method == "POST"
        params = parse_qs(scope["query_string"].decode("latin-1")) if scope["query_string"] else {}
        requestid = params["requestid"][0] if "requestid" in params else None
        stats = company.stats
        stats.requests += 1
        if is_batch:
            stats.batch_requests += 1
        key = (realm_id, access.grant.client_id)
        if not self.limiter.admit(key, is_batch):
            stats.throttled += 1
            log_request(company, scope, 429, requestid, None, started, store)
            return throttle_outcome(company, store).response()
        in_flight = self.limiter.in_flight(key)
        if in_flight > stats.max_concurrency:
            stats.max_concurrency = in_flight
        stats.in_flight += 1
        try:
            if self.config.latency_ms:
                await asyncio.sleep(self.config.latency_ms / 1000)
            body = await request.body() if method == "POST" else b""
            calls = metered_calls(method, segment, body)
            if calls and not self.meter.admit(access.grant.client_id, store.clock.now().strftime("%Y-%m"), calls):
                log_request(company, scope, 429, requestid, "reads_blocked", started, store)
                return reads_blocked_outcome(company, store).response()
            rule = None
            if company.fault_rules or company.chaos is not None:
                target = scope["path"] + (
                    "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
                )
                rule = match_fault(company, target, chaos=True)
            if rule is not None:
                stats.faults_injected += 1
                if rule.kind in ("reset", "timeout"):
                    log_request(company, scope, None, requestid, rule.kind, started, store)
                    await apply_connection_fault(rule, request)
                    return Response(b"", status_code=499)
                if rule.kind != "commit_then_drop":
                    outcome = injected_outcome(rule, company, store)
                    log_request(company, scope, outcome.status, requestid, rule.kind, started, store)
                    return outcome.response()
            outcome = self.handle(company, method, segment, parts, params, body, requestid, is_batch)
            if rule is not None:  # commit_then_drop: the write happened, the answer is lost
                log_request(company, scope, outcome.status, requestid, rule.kind, started, store)
                await drop_connection(request)
                return Response(b"", status_code=499)
            log_request(company, scope, outcome.status, requestid, None, started, store)
            return outcome.response()
        finally:
            stats.in_flight -= 1
            self.limiter.release(key)

    # --- synchronous part: no awaits below this line --------------------------------------

    def handle(
        self,
        company: Company,
        method: str,
        segment: str,
        parts: list[str],
        params: dict[str, list[str]],
        body: bytes,
        requestid: str | None,
        is_batch: bool,
    ) -> Outcome:
        store = self.store
        time_text = format_response_time(store.clock.now(), company.utc_offset)
        try:
            if requestid is not None and method == "POST":
                limit = REQUESTID_MAX_BATCH if is_batch else REQUESTID_MAX
                if len(requestid) > limit:
                    raise faults.string_length("requestid", limit, len(requestid))
                remembered = company.request_ids.get(requestid)
                if remembered is not None:
                    stored_at, status, payload, media_type = remembered
                    if store.clock.time() - stored_at <= self.config.requestid_window_seconds:
                        return Outcome(status, payload, media_type)
                    del company.request_ids[requestid]
            outcome = self._dispatch(company, method, segment, parts, params, body, requestid, time_text)
        except QBOError as error:
            outcome = Outcome(error.status, dumps({"Fault": error.fault_json(), "time": time_text}))
        except Exception:  # a malformed request we did not foresee: answer like QuickBooks, keep serving
            logger.exception("unexpected error handling %s %s", method, "/".join(parts))
            error = faults.system_failure()
            outcome = Outcome(error.status, dumps({"Fault": error.fault_json(), "time": time_text}))
        if requestid is not None and method == "POST" and outcome.status < 500 and len(requestid) <= REQUESTID_MAX:
            if len(company.request_ids) >= 100_000:
                self._forget_old_request_ids(company)
            company.request_ids[requestid] = (store.clock.time(), outcome.status, outcome.body, outcome.media_type)
        return outcome

    def _dispatch(
        self,
        company: Company,
        method: str,
        segment: str,
        parts: list[str],
        params: dict[str, list[str]],
        body: bytes,
        requestid: str | None,
        time_text: str,
    ) -> Outcome:
        include = frozenset(part.strip().lower() for value in params.get("include", []) for part in value.split(","))
        ctx = WriteContext(company, self.config, include)

        if segment == "query":
            if method == "POST" and body:
                text = body.decode("utf-8")
            else:
                text = params.get("query", [""])[0]
            result = execute(ctx, text)
            return Outcome(200, dumps({"QueryResponse": result, "time": time_text}))
        if segment == "batch" and method == "POST":
            items = batch.validate_envelope(self._json(body), self.config.max_batch_items, requestid is not None)
            result = batch.run_batch(ctx, items)
            result["time"] = time_text
            return Outcome(200, dumps(result))
        if segment == "cdc" and method == "GET":
            result = cdc.change_data_capture(
                ctx,
                params.get("entities", [None])[0],
                params.get("changedSince", [None])[0],
                self.config.cdc_max_days,
                self.config.cdc_max_objects,
            )
            result["time"] = time_text
            return Outcome(200, dumps(result))

        if segment == "exchangerate":  # not a list or a transaction: keyed by currency and date
            if method == "GET":
                result = currency.get_exchange_rate(company, params)
            else:
                result = currency.set_exchange_rate(company, self._json(body) or {})
            return Outcome(200, dumps({**result, "time": time_text}))
        entity = ENTITY_BY_PATH.get(segment)
        if entity is None:
            raise faults.unsupported_operation(
                f"Operation Could not find resource for relative : /{segment} of full path: "
                f"/v3/company/{company.realm_id}/{segment} is not supported."
            )
        record_id = parts[5] if len(parts) > 5 and parts[5] else None

        if method == "GET":
            if entity == "Preferences":
                return Outcome(200, dumps({"Preferences": preferences_json(company), "time": time_text}))
            if entity == "CompanyInfo":
                if record_id not in (None, company.realm_id):
                    raise faults.object_not_found()
                return Outcome(200, dumps({"CompanyInfo": company_info_json(company), "time": time_text}))
            if record_id is None:
                raise faults.unsupported_operation(f"Operation GET without an Id is not supported for {entity}.")
            record = crud.read(ctx, entity, record_id)
            return Outcome(200, dumps({entity: public(record), "time": time_text}))

        if entity in ("CompanyInfo", "TaxRate"):
            raise faults.unsupported_operation(f"Operation Update is not supported for {entity}.")
        data = self._json(body)
        if not isinstance(data, dict):
            raise faults.invalid_property("Request has invalid or unsupported property", entity)
        if len(data) == 1 and entity in data and isinstance(data[entity], dict):
            data = data[entity]  # some clients wrap the object in its name
        if entity == "Preferences":  # full or sparse update, Id + SyncToken (entities/preferences.py)
            if (params.get("operation", [""])[0] or "update").lower() != "update":
                raise faults.unsupported_operation("Operation is not supported for Preferences: only update.")
            return Outcome(200, dumps({entity: update_preferences(company, data), "time": time_text}))
        operation = (params.get("operation", [""])[0] or "").lower()
        if operation == "delete":
            result = crud.delete(ctx, entity, data)
            return Outcome(200, dumps({entity: result, "time": time_text}))
        if operation == "void" or (operation == "update" and "void" in include):
            record = crud.void(ctx, entity, data)
        elif data.get("Id") not in (None, ""):
            record = crud.update(ctx, entity, data)
        else:
            record = crud.create(ctx, entity, data)
        return Outcome(200, dumps({entity: public(record), "time": time_text}))

    def _forget_old_request_ids(self, company: Company) -> None:
        horizon = self.store.clock.time() - self.config.requestid_window_seconds
        for key in [k for k, (stored_at, *_) in company.request_ids.items() if stored_at < horizon]:
            del company.request_ids[key]

    @staticmethod
    def _json(body: bytes) -> Any:
        try:
            return loads(body) if body else None
        except ValueError:
            raise faults.invalid_property(
                "Property Name:Can not parse the request body as JSON specified is unsupported or invalid"
            ) from None

"""The one way this project talks to QuickBooks' Accounting API.

Retry table (what happens to each kind of answer; ``max_tries`` counts every attempt):

====================================  ==========================  ==================================
answer                                read (GET, query-only batch) write (create/update/void/delete/batch)
====================================  ==========================  ==================================
2xx with JSON                         done                        done
429 naming CorePlus calls            ReadsBlocked at once; later  (writes are not metered)
(monthly metered reads spent)         reads raise it uncalled
429 (XML body, code 3001)             pause the realm's budget     same (QuickBooks refused it before
                                      ``throttle_wait_seconds``    acting, so re-sending is safe)
                                      (60 s), then retry
401 (3200)                            refresh the token once       same (refused before acting)
                                      (shared lock), retry; a
                                      second 401 raises
invalid_grant on refresh              ReconnectRequired (the token store marks the company)
403 (3100), 400 faults, 404           raise QboFaultError at once (retrying cannot help)
connect error / connect timeout       backoff, retry               backoff, retry (nothing was sent)
5xx, HTML, empty or unreadable body,  backoff, retry               OUTCOME UNKNOWN: backoff, retry with
read timeout, reset after sending                                  the SAME requestid (QuickBooks replays
                                                                   the original answer) at most
                                                                   ``max_replays`` times, then raise
                                                                   OutcomeUnknown. With
                                                                   ``replay_unknown_writes=False``:
                                                                   raise OutcomeUnknown at once.
a fault after an unknown outcome      -                            OutcomeUnknown (e.g. 6140 may mean
                                                                   the first attempt did land)
tries exhausted                       TransientError               TransientError (nothing unknown) or
                                                                   OutcomeUnknown
====================================  ==========================  ==================================

Backoff is capped exponential with full jitter: ``uniform(0, min(cap, base * 2**(n-1)))``.
Inside a batch, per-item faults are results, never exceptions.
"""

from __future__ import annotations

import logging
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from qbo_client.budget import MemoryRateBudget, RateBudget
from qbo_client.codes import CONNECTION_RESET, NO_BATCH_ANSWER, OUTCOME_UNKNOWN, TIMEOUT
from qbo_client.environments import DEFAULT_MINOR_VERSION, Environment
from qbo_client.errors import (
    CdcWindowTooDense,
    ConfigurationError,
    OutcomeUnknown,
    QboFaultError,
    ReadsBlocked,
    TransientError,
)
from qbo_client.faults import (
    QboFault,
    fault_from_json,
    gateway_fault,
    is_reads_blocked,
    parse_body,
)
from qbo_client.jsonutil import dumps
from qbo_client.oauth import OAuthApp
from qbo_client.results import BatchOperation, BatchResult, CdcChange, WriteResult
from qbo_client.tokens import TokenStore

log = logging.getLogger(__name__)

REQUESTID_MAX = 50
REQUESTID_MAX_BATCH = 36
BID_MAX = 10
MAX_BATCH_ITEMS = 30
QUERY_PAGE = 1000
CDC_MAX_OBJECTS = 1000

# Client-side retry: throttling, server errors and gateway garbage, never validation.
_TRANSIENT_CODES = {"html_body", "empty_body", "unparseable_body", "10000", "3001"}
_PAGING = re.compile(r"\b(STARTPOSITION|MAXRESULTS)\b", re.I)


@dataclass(frozen=True)
class RetryPolicy:
    max_tries: int = 10  # like the seeds' app: 10 attempts in all
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    replay_unknown_writes: bool = True
    max_replays: int = 3  # re-sends of a write whose outcome was unknown (same requestid)
    connect_timeout: float = 10.0
    read_timeout: float = 120.0  # QuickBooks gives up on requests after 120 s

    @classmethod
    def from_mapping(cls, values: dict) -> RetryPolicy:
        kwargs: dict[str, Any] = {}
        for name, kind in (
            ("max_tries", int),
            ("backoff_base", float),
            ("backoff_cap", float),
            ("max_replays", int),
            ("connect_timeout", float),
            ("read_timeout", float),
        ):
            value = values.get(name)
            if value not in (None, ""):
                kwargs[name] = kind(value)
        if values.get("replay_unknown_writes") not in (None, ""):
            kwargs["replay_unknown_writes"] = str(values["replay_unknown_writes"]).lower() in ("1", "true", "yes")
        return cls(**kwargs)

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** max(0, attempt - 1)))


def quote(value: object) -> str:
    """A query literal: single quotes, with backslash and quote backslash-escaped."""
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def new_requestid() -> str:
    return uuid.uuid4().hex  # 32 characters: fits both the 50 and the 36 (batch) limits


class _Attempt(Exception):
    """Internal: one failed attempt and how to treat it."""

    def __init__(
        self,
        fault: QboFault,
        *,
        retry: bool,
        uncertain: bool = False,
        throttled: bool = False,
        unauthorized: bool = False,
        reads_blocked: bool = False,
    ) -> None:
        self.fault = fault
        self.retry = retry
        self.uncertain = uncertain
        self.throttled = throttled
        self.unauthorized = unauthorized
        self.reads_blocked = reads_blocked


class QboClient:
    """Calls for ONE company (realm). Thread-safe: threads may share a client."""

    def __init__(
        self,
        realm_id: str,
        token_store: TokenStore,
        *,
        environment: Environment,
        app: OAuthApp | None = None,
        budget: RateBudget | None = None,
        retry: RetryPolicy | None = None,
        minor_version: int = DEFAULT_MINOR_VERSION,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        if not realm_id:
            raise ConfigurationError("a QuickBooks client needs a realm id")
        self.realm_id = str(realm_id)
        self.environment = environment
        self.minor_version = int(minor_version)
        self.retry = retry or RetryPolicy()
        self.budget = budget or MemoryRateBudget()
        self._store = token_store
        self._app = app
        self._session = session or requests.Session()
        self._sleep = sleep
        self._on_close = on_close
        self._base = f"{environment.api_base_url.rstrip('/')}/v3/company/{self.realm_id}"
        # Counters for reports and tests; never secrets.
        # reads: requests Intuit meters (queries, reads, CDC), every attempt sent.
        self.stats = {"requests": 0, "reads": 0, "throttled": 0, "retries": 0, "refreshes": 0, "replays": 0}
        self.reads_blocked: ReadsBlocked | None = None  # set once QuickBooks blocks metered reads

    def __repr__(self) -> str:
        return f"QboClient(realm_id={self.realm_id!r}, environment={self.environment.name!r})"

    def close(self) -> None:
        self._session.close()
        if self._on_close is not None:
            self._on_close()

    def __enter__(self) -> QboClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ================================================================== reads
    def read(self, entity_name: str, entity_id: str | None = None) -> dict[str, Any]:
        """One entity by Id (``read("Preferences")`` for singletons)."""
        path = entity_name.lower() + (f"/{entity_id}" if entity_id is not None else "")
        payload, _ = self._request("GET", path, entity_name=entity_name, operation="read")
        return _entity_of(payload, entity_name)

    def exchange_rate(self, source_currency: str, as_of: str | None = None) -> dict[str, Any] | None:
        """QuickBooks' ExchangeRate for ``source_currency`` (ISO code) into the home currency on
        ``as_of`` (YYYY-MM-DD, default today): the company's own rate for that day, else the
        global one; None when QuickBooks has none (an empty answer). Multicurrency companies only."""
        params = {"sourcecurrencycode": source_currency}
        if as_of:
            params["asofdate"] = as_of
        payload, _ = self._request("GET", "exchangerate", params=params, entity_name="ExchangeRate", operation="read")
        return payload.get("ExchangeRate") or None

    def query_page(self, select: str) -> dict[str, Any]:
        """One query request as written; returns QuickBooks' ``QueryResponse``."""
        payload, _ = self._request("GET", "query", params={"query": select}, operation="query")
        return payload.get("QueryResponse") or {}

    def iter_query(self, select: str, page_size: int = QUERY_PAGE) -> Iterator[dict[str, Any]]:
        """Every row, paging with STARTPOSITION/MAXRESULTS until a short page (QuickBooks
        caps a page at 1,000 rows). A query that pages itself is sent as is."""
        if _PAGING.search(select):
            yield from _rows(self.query_page(select))
            return
        page_size = max(1, min(QUERY_PAGE, int(page_size)))
        start = 1
        while True:
            rows = _rows(self.query_page(f"{select} STARTPOSITION {start} MAXRESULTS {page_size}"))
            yield from rows
            if len(rows) < page_size:
                return
            start += page_size

    def query(self, select: str, page_size: int = QUERY_PAGE) -> list[dict[str, Any]]:
        """Every row of a query (all pages). Build literals with :func:`quote`."""
        return list(self.iter_query(select, page_size))

    def count(self, select_count: str) -> int:
        """``select count(*) from Invoice where ...`` -> totalCount."""
        return int(self.query_page(select_count).get("totalCount") or 0)

    # ================================================================== writes
    def create(
        self,
        entity_name: str,
        payload: dict[str, Any],
        *,
        requestid: str | None = None,
        params: dict[str, str] | None = None,
    ) -> WriteResult:
        return self._write(entity_name, payload, "create", requestid, params or {})

    def update(
        self, entity_name: str, payload: dict[str, Any], *, sparse: bool = False, requestid: str | None = None
    ) -> WriteResult:
        """Full update (omitted fields are cleared) or, with ``sparse``, only the fields given.
        ``payload`` carries ``Id`` and the current ``SyncToken``."""
        _require_id(payload, "update")
        body = dict(payload)
        if sparse:
            body["sparse"] = True
        return self._write(entity_name, body, "update", requestid, {})

    def void(self, entity_name: str, entity_id: str, sync_token: str, *, requestid: str | None = None) -> WriteResult:
        body: dict[str, Any] = {"Id": str(entity_id), "SyncToken": str(sync_token)}
        if entity_name == "Payment":  # payments void through a sparse update
            body["sparse"] = True
            return self._write(entity_name, body, "void", requestid, {"operation": "update", "include": "void"})
        return self._write(entity_name, body, "void", requestid, {"operation": "void"})

    def delete(self, entity_name: str, entity_id: str, sync_token: str, *, requestid: str | None = None) -> WriteResult:
        body = {"Id": str(entity_id), "SyncToken": str(sync_token)}
        return self._write(entity_name, body, "delete", requestid, {"operation": "delete"})

    def _write(
        self, entity_name: str, body: dict[str, Any], operation: str, requestid: str | None, params: dict[str, str]
    ) -> WriteResult:
        rid = _check_requestid(requestid, REQUESTID_MAX)
        payload, uncertain = self._request(
            "POST",
            entity_name.lower(),
            params=params,
            body=body,
            write=True,
            requestid=rid,
            entity_name=entity_name,
            operation=operation,
        )
        return WriteResult(entity_name, _entity_of(payload, entity_name), rid, uncertain)

    # ================================================================== batch
    def batch(
        self,
        operations: Iterable[BatchOperation],
        *,
        requestid: str | None = None,
        max_items: int = MAX_BATCH_ITEMS,
        concurrency: int = 1,
    ) -> list[BatchResult]:
        """Run any number of operations, at most ``max_items`` (30) per request, and return
        one result per operation, in the order given, matched to QuickBooks' answer by bId.

        Per-item faults are results, never exceptions. ``requestid`` (optional, for replays
        of a re-run) names the call: the k-th request of a split call uses ``f"{requestid}-{k}"``
        (each at most 36 characters). Raises only ReconnectRequired (the whole company).

        ``concurrency`` > 1 keeps up to that many of the requests in flight at once (still
        paced by the budget), for operations that do not depend on each other: a paced
        sender that waits for each answer before asking for the next token loses the
        answer's round trip from every interval."""
        ops = list(operations)
        bids = [op.bid or str(index + 1) for index, op in enumerate(ops)]
        if len(set(bids)) != len(bids):
            raise ValueError("bIds must be unique within a batch call")
        for bid in bids:
            if len(bid) > BID_MAX:
                raise ValueError(f"bId {bid!r} is longer than {BID_MAX} characters")
        size = max(1, min(MAX_BATCH_ITEMS, int(max_items)))
        chunks = [list(zip(bids[i : i + size], ops[i : i + size], strict=False)) for i in range(0, len(ops), size)]
        rids = [_chunk_requestid(requestid, number, len(chunks)) for number in range(len(chunks))]
        results: list[BatchResult] = []
        workers = max(1, min(int(concurrency), len(chunks)))
        if workers == 1:
            for chunk, rid in zip(chunks, rids, strict=False):
                results.extend(self._batch_request(chunk, rid))
            return results
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"qbo-batch-{self.realm_id}")
        try:
            futures = [pool.submit(self._batch_request, chunk, rid) for chunk, rid in zip(chunks, rids, strict=False)]
            for future in futures:
                results.extend(future.result())
        finally:
            # On ReconnectRequired, requests not yet started are not sent.
            pool.shutdown(wait=True, cancel_futures=True)
        return results

    def write_many(
        self,
        operations: Iterable[BatchOperation],
        *,
        requestid: str | None = None,
        batch_senders: int = 3,
        plain_senders: int | None = None,
        on_answer: Callable[[int], None] | None = None,
    ) -> list[BatchResult]:
        """Independent writes over batches AND plain requests at once, to use the company's
        whole request budget (:mod:`qbo_client.mixed`); one result per operation, in order."""
        from qbo_client.mixed import write_many

        return write_many(
            self,
            operations,
            requestid=requestid,
            batch_senders=batch_senders,
            plain_senders=plain_senders,
            on_answer=on_answer,
        )

    def _batch_request(self, chunk: list[tuple[str, BatchOperation]], rid: str) -> list[BatchResult]:
        write = any(op.is_write for _, op in chunk)
        body = {"BatchItemRequest": [_batch_item(bid, op) for bid, op in chunk]}
        try:
            payload, _ = self._request(
                "POST", "batch", body=body, write=write, batch=True, requestid=rid, operation="batch"
            )
        except ReadsBlocked:
            raise  # the whole month, not these items: the caller stops reading
        except OutcomeUnknown as error:
            unknown = gateway_fault(OUTCOME_UNKNOWN, None, error.last_problem)
            return [
                BatchResult(
                    bid, op, op.entity_name, None, unknown.with_entity(op.entity_name), rid, outcome_unknown=op.is_write
                )
                for bid, op in chunk
            ]
        except QboFaultError as error:  # the whole request refused (or retries exhausted)
            return [
                BatchResult(bid, op, op.entity_name, None, error.fault.with_entity(op.entity_name), rid)
                for bid, op in chunk
            ]
        answers: dict[str, dict[str, Any]] = {}
        for item in payload.get("BatchItemResponse") or []:
            if isinstance(item, dict) and item.get("bId") is not None:
                answers[str(item["bId"])] = item
        out = []
        for bid, op in chunk:
            item = answers.get(bid)
            if item is None:
                missing = gateway_fault(
                    NO_BATCH_ANSWER, 200, f"QuickBooks' batch answer has no item bId={bid}", op.entity_name
                )
                out.append(BatchResult(bid, op, op.entity_name, None, missing, rid, outcome_unknown=op.is_write))
                continue
            fault = fault_from_json(item, 200, op.entity_name)
            if fault is not None:
                out.append(BatchResult(bid, op, op.entity_name, None, fault, rid))
            elif op.operation == "query":
                out.append(BatchResult(bid, op, None, {"QueryResponse": item.get("QueryResponse") or {}}, None, rid))
            else:
                out.append(BatchResult(bid, op, op.entity_name, _entity_of(item, op.entity_name), None, rid))
        return out

    # ================================================================== change data capture
    def cdc(
        self,
        entities: Sequence[str],
        changed_since: datetime,
        until: datetime | None = None,
        *,
        max_objects: int = CDC_MAX_OBJECTS,
    ) -> list[CdcChange]:
        """Everything of ``entities`` changed in [changed_since, until) (until: open-ended).

        QuickBooks answers at most 1,000 objects and cannot page, so when an answer is full
        the window is split in halves, recursively, and the halves merged, keeping one
        (the latest) version per entity+Id. A full answer still proves a sub-window complete
        when it reaches past that sub-window's end, because QuickBooks fills the answer
        oldest-first (the emulator does too); answers are cached per changedSince so the
        left halves cost no extra requests."""
        if changed_since.tzinfo is None or (until is not None and until.tzinfo is None):
            raise ValueError("cdc needs timezone-aware datetimes (UTC)")
        names = ",".join(dict.fromkeys(entities))
        cache: dict[datetime, tuple[list[CdcChange], bool]] = {}

        def answer(since: datetime) -> tuple[list[CdcChange], bool]:
            if since not in cache:
                payload, _ = self._request(
                    "GET",
                    "cdc",
                    params={"entities": names, "changedSince": since.astimezone(UTC).isoformat()},
                    operation="cdc",
                )
                changes = _cdc_changes(payload)
                cache[since] = (changes, len(changes) >= max_objects)
            return cache[since]

        def window(start: datetime, end: datetime | None, depth: int) -> list[CdcChange]:
            changes, full = answer(start)
            inside = [c for c in changes if _in_window(c, start, end)]
            if not full:
                return inside
            stamps = [c.last_updated for c in changes if c.last_updated is not None]
            latest = max(stamps) if stamps else None
            if end is not None and latest is not None and latest >= end:
                return inside  # oldest-first answer that reaches past the window: complete
            mid = latest if end is None else start + (end - start) / 2
            # MetaData times have whole seconds: below that the window cannot be narrowed.
            if mid is None or (mid - start).total_seconds() < 1 or depth > 64:
                raise CdcWindowTooDense(
                    f"realm {self.realm_id}: more than {max_objects} objects changed within one second "
                    f"after {start.isoformat()}; read them with paged queries instead"
                )
            log.debug("cdc: %s objects from %s: splitting at %s", len(changes), start, mid)
            return window(start, mid, depth + 1) + window(mid, end, depth + 1)

        return _latest_per_object(window(changed_since, until, 0))

    # ================================================================== the HTTP loop
    def _access_token(self) -> str:
        tokens = self._store.current()
        if tokens.access_valid():
            return str(tokens.access_token)
        return self._refresh(tokens.access_token)

    def _refresh(self, rejected: str | None) -> str:
        if self._app is None:
            raise ConfigurationError("this client has no OAuth app, so it cannot refresh tokens")
        tokens = self._store.refresh(self._app.refresh, rejected)
        self.stats["refreshes"] += 1
        return str(tokens.access_token)

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        write: bool = False,
        batch: bool = False,
        requestid: str | None = None,
        entity_name: str | None = None,
        operation: str = "",
    ) -> tuple[dict[str, Any], int]:
        """Send with the retry table above. Returns (payload, attempts whose outcome was unknown)."""
        metered = method == "GET" or operation == "query" or (batch and not write)
        if metered and self.reads_blocked is not None:
            raise self.reads_blocked  # QuickBooks said: no more reads this month; don't ask again
        query = {**(params or {}), "minorversion": str(self.minor_version)}
        if requestid is not None:
            query["requestid"] = requestid
        data = dumps(body).encode("utf-8") if body is not None else None
        url = f"{self._base}/{path}"
        policy = self.retry
        refreshed = False
        uncertain = 0
        last: QboFault | None = None
        for attempt in range(1, policy.max_tries + 1):
            token = self._access_token()
            if metered:
                self.stats["reads"] += 1
            try:
                return self._attempt(
                    method, url, query, data, token, batch, entity_name, operation, requestid
                ), uncertain
            except _Attempt as failed:
                last = failed.fault
                if failed.reads_blocked:
                    self.reads_blocked = ReadsBlocked(failed.fault, self.realm_id)
                    log.warning(
                        "realm %s: QuickBooks blocked this app's reads until next month: %s",
                        self.realm_id,
                        failed.fault.summary(),
                    )
                    raise self.reads_blocked from None
                if failed.unauthorized:
                    if refreshed:
                        raise QboFaultError(failed.fault, self.realm_id) from None
                    refreshed = True
                    self._refresh(token)
                    continue
                if failed.throttled:
                    self.stats["throttled"] += 1
                    self.budget.pause(self.realm_id, self.budget.config.throttle_wait_seconds)
                    continue  # the budget makes the next acquire wait out the pause
                if not failed.retry:
                    if uncertain:
                        raise self._unknown(
                            operation,
                            entity_name,
                            requestid,
                            attempt,
                            f"after a lost answer QuickBooks said: {failed.fault.summary()}",
                        ) from None
                    raise QboFaultError(failed.fault, self.realm_id) from None
                if write and failed.uncertain:
                    uncertain += 1
                    if not policy.replay_unknown_writes or uncertain > policy.max_replays:
                        raise self._unknown(operation, entity_name, requestid, attempt, failed.fault.message) from None
                    self.stats["replays"] += 1
                self.stats["retries"] += 1
                if attempt < policy.max_tries:
                    self._sleep(policy.backoff(attempt))
        assert last is not None
        if write and uncertain:
            raise self._unknown(operation, entity_name, requestid, policy.max_tries, last.message)
        raise TransientError(last, self.realm_id)

    def _unknown(
        self, operation: str, entity_name: str | None, requestid: str | None, attempts: int, problem: str
    ) -> OutcomeUnknown:
        log.warning(
            "realm %s: outcome of %s %s unknown (requestid %s): %s",
            self.realm_id,
            operation,
            entity_name or "",
            requestid,
            problem,
        )
        return OutcomeUnknown(self.realm_id, operation, entity_name, requestid, attempts, problem)

    def _attempt(
        self,
        method: str,
        url: str,
        query: dict[str, str],
        data: bytes | None,
        token: str,
        batch: bool,
        entity_name: str | None,
        operation: str,
        requestid: str | None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        with self.budget.acquire(self.realm_id, batch=batch):
            self.stats["requests"] += 1
            try:
                response = self._session.request(
                    method,
                    url,
                    params=query,
                    data=data,
                    headers=headers,
                    timeout=(self.retry.connect_timeout, self.retry.read_timeout),
                )
                content = response.content  # read inside the slot: the request is not over before
            except requests.ConnectTimeout:
                raise _Attempt(
                    gateway_fault(TIMEOUT, None, "could not connect to QuickBooks in time"), retry=True
                ) from None
            except requests.Timeout:
                raise _Attempt(
                    gateway_fault(TIMEOUT, None, "QuickBooks did not answer in time"), retry=True, uncertain=True
                ) from None
            except requests.ConnectionError as error:
                never_sent = _never_sent(error)
                message = (
                    "could not connect to QuickBooks"
                    if never_sent
                    else "the connection to QuickBooks dropped before the answer"
                )
                raise _Attempt(
                    gateway_fault(CONNECTION_RESET, None, message), retry=True, uncertain=not never_sent
                ) from None
        status = response.status_code
        log.debug(
            "realm %s: %s %s %s -> %s in %.0f ms (requestid %s)",
            self.realm_id,
            method,
            url.rsplit("/", 1)[-1],
            operation,
            status,
            (time.monotonic() - started) * 1000,
            requestid,
        )
        parsed = parse_body(status, response.headers.get("content-type", ""), content, entity_name)
        if status < 300 and parsed.fault is None:
            return parsed.payload if isinstance(parsed.payload, dict) else {}
        fault = parsed.fault or gateway_fault(f"http_{status}", status, f"HTTP {status}", entity_name)
        if status == 429 and is_reads_blocked(fault):
            raise _Attempt(fault, retry=False, reads_blocked=True)
        if status == 429 or fault.code == "3001":
            raise _Attempt(fault, retry=True, throttled=True)
        if status == 401:
            raise _Attempt(fault, retry=True, unauthorized=True)
        if status >= 500 or fault.code in _TRANSIENT_CODES:
            # A 5xx or garbage answer to a write says nothing about whether it was applied.
            raise _Attempt(fault, retry=True, uncertain=True)
        raise _Attempt(fault, retry=False)


# ====================================================================== helpers
def _never_sent(error: requests.ConnectionError) -> bool:
    """True when the connection was never established (safe to resend anything)."""
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        if name in ("NewConnectionError", "ConnectTimeoutError", "NameResolutionError"):
            return True
        if isinstance(current, ConnectionRefusedError):
            return True
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException) and id(reason) not in seen:
            current = reason
            continue
        args = getattr(current, "args", ())
        nxt = next((a for a in args if isinstance(a, BaseException)), None)
        current = nxt or current.__cause__ or current.__context__
    return False


def _require_id(payload: dict[str, Any], operation: str) -> None:
    if payload.get("Id") in (None, "") or payload.get("SyncToken") in (None, ""):
        raise ValueError(f"an {operation} needs the entity's Id and current SyncToken")


def _check_requestid(requestid: str | None, limit: int) -> str:
    rid = requestid or new_requestid()
    if len(rid) > limit:
        raise ValueError(f"a requestid is at most {limit} characters (got {len(rid)})")
    return rid


def _chunk_requestid(requestid: str | None, number: int, chunks: int) -> str:
    if requestid is None:
        return new_requestid()
    rid = requestid if chunks == 1 else f"{requestid}-{number}"
    return _check_requestid(rid, REQUESTID_MAX_BATCH)


def _batch_item(bid: str, op: BatchOperation) -> dict[str, Any]:
    if op.operation == "query":
        return {"bId": bid, "Query": op.query}
    payload = dict(op.payload or {})
    item: dict[str, Any] = {"bId": bid}
    if op.operation == "void":
        if op.entity_name == "Payment":
            payload["sparse"] = True
        item.update({"operation": "update", "optionsData": "void"})
    elif op.operation == "update":
        if op.sparse:
            payload["sparse"] = True
        item["operation"] = "update"
    else:
        item["operation"] = op.operation
    item[str(op.entity_name)] = payload
    return item


def _entity_of(payload: dict[str, Any], entity_name: str) -> dict[str, Any]:
    value = payload.get(entity_name)
    if isinstance(value, dict):
        return value
    for key, other in payload.items():  # QuickBooks' casing can differ (e.g. "Preferences")
        if key.lower() == entity_name.lower() and isinstance(other, dict):
            return other
    return {}


def _rows(query_response: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for value in query_response.values():
        if isinstance(value, list):
            rows.extend(v for v in value if isinstance(v, dict))
    return rows


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _cdc_changes(payload: dict[str, Any]) -> list[CdcChange]:
    changes = []
    for block in payload.get("CDCResponse") or []:
        for response in block.get("QueryResponse") or []:
            if not isinstance(response, dict):
                continue
            for name, items in response.items():
                if not isinstance(items, list):
                    continue
                for item in items:
                    if not isinstance(item, dict) or item.get("Id") is None:
                        continue
                    stamp = _parse_time((item.get("MetaData") or {}).get("LastUpdatedTime"))
                    changes.append(CdcChange(name, str(item["Id"]), item.get("status") == "Deleted", stamp, item))
    return changes


def _in_window(change: CdcChange, start: datetime, end: datetime | None) -> bool:
    if change.last_updated is None:
        return True
    # Whole-second times: an object stamped in start's second may have changed after start.
    return change.last_updated >= start.replace(microsecond=0) and (end is None or change.last_updated < end)


def _latest_per_object(changes: list[CdcChange]) -> list[CdcChange]:
    latest: dict[tuple[str, str], CdcChange] = {}
    floor = datetime.min.replace(tzinfo=UTC)
    for change in changes:
        key = (change.entity_name, change.id)
        kept = latest.get(key)
        if kept is None or (change.last_updated or floor) >= (kept.last_updated or floor):
            latest[key] = change
    return sorted(latest.values(), key=lambda c: (c.last_updated or floor, c.entity_name, c.id))

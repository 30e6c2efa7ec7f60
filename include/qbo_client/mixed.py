"""Writes over both of QuickBooks' write paths at once: batch requests and plain requests.

QuickBooks lets an app call one company (realm) 500 times a minute, 10 at once, and at
most 40 of those calls may be batch requests of up to 30 operations (qbo-api.md, "Limits").
Batches alone carry at most 40 x 30 = 1,200 writes a minute; the ~460 requests a minute
left beside them can carry one write each. :func:`write_many` sends a call's operations
(which must not depend on each other) over both paths at once:

* the split is planned from the budget's rates, so that both paths end together: with ``s``
  plain requests allowed per batch request (plain rate / batch rate, about 11.8 at 500 and
  40 a minute), ``B = (n + s) / (30 + s)`` batches (the first goes at once, the others a
  batch interval apart) carry the first ``30 B`` operations and plain requests the rest; a
  batch sender with no batch left helps with the plain requests (the same requests, with
  the same requestids), so a slow plain path still ends as soon as it can;
* the plan depends only on the operations and the budget's configuration, never on timing,
  so a re-run of the same call sends the same requests;
* every request is paced by the client's budget as any other (a token per request, a batch
  token per batch, a slot each), so the company's limits hold whatever the mix;
* every request carries a requestid derived from the call's requestid and what the request
  holds (a batch: its bIds; a plain request: its bId), so a re-run of the same call sends
  the same requestids for the same operations and QuickBooks replays instead of acting twice;
* each operation gets one :class:`BatchResult`, whichever path carried it: a plain request
  whose answer was lost (after the client's replays with the same requestid) is a result
  with ``outcome_unknown`` set, exactly as a batch item whose answer was lost, so the caller
  looks it up before posting it again.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from qbo_client.codes import OUTCOME_UNKNOWN
from qbo_client.errors import OutcomeUnknown, QboFaultError
from qbo_client.faults import gateway_fault
from qbo_client.results import BatchOperation, BatchResult

# ``client`` below is a qbo_client.client.QboClient (not imported: the client imports this module).
QboClient = Any

MAX_BATCH_ITEMS = 30


def plain_share(client: QboClient) -> float:
    """Plain requests the budget allows per batch request (0: no room beside the batches)."""
    config = client.budget.config
    request_rate = config.request_bucket[1]
    second = config.second_bucket
    if second is not None:
        request_rate = min(request_rate, second[1])
    batch_rate = config.batch_bucket[1]
    return max(0.0, request_rate - batch_rate) / batch_rate


def _batched_count(n: int, share: float) -> int:
    """How many of ``n`` operations go in batches (whole batches of 30, the rest plain) so that
    both paths end together; all of them when there is no room for plain requests."""
    if share <= 0:
        return n
    batches = int((n + share) // (MAX_BATCH_ITEMS + share))
    return min(n // MAX_BATCH_ITEMS, batches) * MAX_BATCH_ITEMS


def _derived(requestid: str, *parts: str) -> str:
    """A requestid for one request of a call: 32 hex characters (fits the batch limit, 36)."""
    return hashlib.sha256(":".join((requestid, *parts)).encode()).hexdigest()[:32]


def write_many(
    client: QboClient,
    operations: Iterable[BatchOperation],
    *,
    requestid: str | None = None,
    batch_senders: int = 3,
    plain_senders: int | None = None,
    on_answer: Callable[[int], None] | None = None,
) -> list[BatchResult]:
    """Send independent write operations over batches and plain requests; one result per
    operation, in the order given. ``plain_senders`` defaults to the slots the budget has
    left beside ``batch_senders`` (one kept free for the caller's own reads), and is 0 when
    the budget leaves no requests beside the batches. ``on_answer(n)`` is called (from a
    sender's thread) each time ``n`` operations got their answer. Raises only what
    :meth:`QboClient.batch` raises (ReconnectRequired: the whole company)."""
    ops = list(operations)
    bids = [op.bid or str(index + 1) for index, op in enumerate(ops)]
    if len(set(bids)) != len(bids):
        raise ValueError("bIds must be unique within a call")
    if any(not op.is_write for op in ops):
        raise ValueError("write_many sends writes only (queries go through query or batch)")
    call_rid = requestid or uuid.uuid4().hex
    share = plain_share(client)
    if plain_senders is None:
        plain_senders = client.budget.config.max_concurrent - batch_senders - 1
    plain_senders = max(0, min(plain_senders, len(ops))) if share > 0 else 0
    batch_senders = max(1, batch_senders) if plain_senders == 0 else max(0, batch_senders)
    batched = _batched_count(len(ops), share if plain_senders else 0.0)
    chunks: deque[list[int]] = deque(
        list(range(start, min(start + MAX_BATCH_ITEMS, batched))) for start in range(0, batched, MAX_BATCH_ITEMS)
    )
    singles: deque[int] = deque(range(batched, len(ops)))
    if not singles:
        plain_senders = 0
    if not chunks:
        batch_senders = 0
    results: list[BatchResult | None] = [None] * len(ops)
    lock = threading.Lock()
    failure: list[BaseException] = []

    def answered(n: int) -> None:
        if on_answer is not None and n:
            on_answer(n)

    def take(queue: deque) -> object | None:
        with lock:
            return None if failure or not queue else queue.popleft()

    def send_plain() -> None:
        while (i := take(singles)) is not None:
            results[i] = _plain(client, bids[i], ops[i], _derived(call_rid, "p", bids[i]))
            answered(1)

    def batch_sender() -> None:
        while (indexes := take(chunks)) is not None:
            chunk = [(bids[i], ops[i]) for i in indexes]
            got = client._batch_request(chunk, _derived(call_rid, "b", *(bids[i] for i in indexes)))
            for i, result in zip(indexes, got, strict=True):
                results[i] = result
            answered(len(indexes))
        send_plain()  # no batch left: help the plain requests finish

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                with lock:
                    failure.append(exc)

        return run

    threads = [
        threading.Thread(target=guarded(target), name=f"qbo-{kind}-{client.realm_id}-{n}", daemon=True)
        for kind, target, count in (("batch", batch_sender, batch_senders), ("plain", send_plain, plain_senders))
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failure:
        raise failure[0]
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:  # cannot happen: every claimed operation gets a result or raises
        raise RuntimeError(f"write_many left {len(missing)} operation(s) without a result")
    return results  # type: ignore[return-value]


def _plain(client: QboClient, bid: str, op: BatchOperation, rid: str) -> BatchResult:
    """One operation as a plain request, its answer (or fault) as a batch item's would be."""
    name = str(op.entity_name)
    payload = dict(op.payload or {})
    try:
        if op.operation == "create":
            written = client.create(name, payload, requestid=rid)
        elif op.operation == "update":
            written = client.update(name, payload, sparse=op.sparse, requestid=rid)
        elif op.operation == "void":
            written = client.void(name, str(payload["Id"]), str(payload["SyncToken"]), requestid=rid)
        else:
            written = client.delete(name, str(payload["Id"]), str(payload["SyncToken"]), requestid=rid)
    except OutcomeUnknown as error:
        unknown = gateway_fault(OUTCOME_UNKNOWN, None, error.last_problem)
        return BatchResult(bid, op, name, None, unknown.with_entity(name), rid, outcome_unknown=True)
    except QboFaultError as error:  # refused (or transient retries exhausted): nothing written
        return BatchResult(bid, op, name, None, error.fault.with_entity(name), rid)
    return BatchResult(bid, op, name, written.entity, None, rid)

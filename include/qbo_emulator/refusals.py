"""Business refusals queued by a test: QuickBooks says no to one record's write.

Connection-type faults (``faults`` queued under ``/_emulator/companies/{realm}/faults``) fail a
request before it runs. A refusal is QuickBooks itself refusing one write it would otherwise
accept, with a ValidationFault (e.g. code 6000, "A business validation error has occurred while
processing your request"): the write changes nothing, and the fault is answered as QuickBooks
answers any validation fault - inside a batch, as the item's ``Fault`` in the HTTP 200 batch
answer; a plain request, as HTTP 400 with ``{"Fault": ...}`` (both by the code that turns every
``QBOError`` into an answer: api.py, batch.py).

A refusal names the entity, the operation (create, update, delete, void) and, except for a
create, the record's Id; it is checked after the record is found and its SyncToken checked (a
stale token is still 5010), and is used up by ``count`` matching writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import faults
from .faults import QBOError

OPERATIONS = ("create", "update", "delete", "void")
DEFAULT_DETAIL = "The transaction cannot be saved as it is."


@dataclass
class Refusal:
    entity: str
    operation: str
    record_id: str | None
    code: str = "6000"
    message: str | None = None  # None: QuickBooks' message for a business validation error
    detail: str = DEFAULT_DETAIL
    element: str = ""
    remaining: int = 1

    def error(self) -> QBOError:
        if self.message is None:
            return faults.business(self.detail, self.element)
        return faults.fault(self.code, self.message, self.detail, self.element)

    def as_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "operation": self.operation,
            "id": self.record_id,
            "code": self.code,
            "message": self.error().errors[0].message,
            "detail": self.error().errors[0].detail,
            "element": self.element,
            "remaining": self.remaining,
        }


def parse(body: dict[str, Any], entities: Any) -> Refusal:
    """A refusal from the control API's JSON; ``ValueError`` says what is wrong."""
    entity = body.get("entity")
    if entity not in entities:
        raise ValueError(f"entity must be one of {sorted(entities)}")
    operation = body.get("operation", "update")
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {list(OPERATIONS)}")
    record_id = body.get("id")
    if operation == "create":
        if record_id is not None:
            raise ValueError("a create names no id")
    elif not isinstance(record_id, (str, int)) or isinstance(record_id, bool) or str(record_id) == "":
        raise ValueError("id (the record's QuickBooks Id) is required for an update, delete or void")
    count = body.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError("count must be a positive integer")
    code = str(body.get("code", "6000"))
    message = body.get("message")
    if code != "6000" and not message:
        raise ValueError("message is required for a code other than 6000")
    for key in ("message", "detail", "element"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise ValueError(f"{key} must be a string")
    return Refusal(
        entity=entity,
        operation=operation,
        record_id=None if record_id is None else str(record_id),
        code=code,
        message=message,
        detail=body.get("detail") or DEFAULT_DETAIL,
        element=body.get("element") or "",
        remaining=count,
    )


def check(company: Any, entity: str, operation: str, record_id: Any) -> None:
    """Raise the first queued refusal matching this write (using one of its ``count``)."""
    rules = getattr(company, "refusals", None)
    if not rules:
        return
    key = None if record_id is None else str(record_id)
    for rule in rules:
        if rule.entity == entity and rule.operation == operation and rule.record_id == key:
            rule.remaining -= 1
            if rule.remaining <= 0:
                rules.remove(rule)
            company.stats.faults_by_kind["refusal"] += 1
            raise rule.error()

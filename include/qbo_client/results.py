"""Small typed values the client takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qbo_client.faults import QboFault

BATCH_OPERATIONS = ("create", "update", "delete", "void", "query")


@dataclass(frozen=True)
class BatchOperation:
    """One item of a batch. Build with the class methods; ``bid`` (at most 10 characters,
    unique in the call) defaults to the item's 1-based position in the call."""

    operation: str  # create | update | delete | void | query
    entity_name: str | None  # QuickBooks' name: Invoice, Customer, Payment, CreditMemo...
    payload: dict[str, Any] | None = None
    query: str | None = None
    bid: str | None = None
    sparse: bool = False

    def __post_init__(self) -> None:
        if self.operation not in BATCH_OPERATIONS:
            raise ValueError(f"unknown batch operation {self.operation!r}")
        if self.operation == "query" and not self.query:
            raise ValueError("a query operation needs the query text")
        if self.operation != "query" and (not self.entity_name or self.payload is None):
            raise ValueError(f"a {self.operation} operation needs an entity name and a payload")
        if self.bid is not None and not 1 <= len(self.bid) <= 10:
            raise ValueError("a bId is 1 to 10 characters")

    @classmethod
    def create(cls, entity_name: str, payload: dict[str, Any], bid: str | None = None) -> BatchOperation:
        return cls("create", entity_name, payload, bid=bid)

    @classmethod
    def update(
        cls, entity_name: str, payload: dict[str, Any], *, sparse: bool = False, bid: str | None = None
    ) -> BatchOperation:
        return cls("update", entity_name, payload, bid=bid, sparse=sparse)

    @classmethod
    def delete(cls, entity_name: str, entity_id: str, sync_token: str, bid: str | None = None) -> BatchOperation:
        return cls("delete", entity_name, {"Id": str(entity_id), "SyncToken": str(sync_token)}, bid=bid)

    @classmethod
    def void(cls, entity_name: str, entity_id: str, sync_token: str, bid: str | None = None) -> BatchOperation:
        return cls("void", entity_name, {"Id": str(entity_id), "SyncToken": str(sync_token)}, bid=bid)

    @classmethod
    def select(cls, query: str, bid: str | None = None) -> BatchOperation:
        return cls("query", None, query=query, bid=bid)

    @property
    def is_write(self) -> bool:
        return self.operation != "query"


@dataclass(frozen=True)
class BatchResult:
    """What happened to one operation, matched by bId. Exactly one of ``entity`` (the saved
    entity; for a query, ``{"QueryResponse": ...}``) and ``fault`` is set. ``outcome_unknown``
    means the write may or may not have happened (then ``fault.code`` is ``outcome_unknown``
    or ``no_batch_answer``): look the record up before sending it again."""

    bid: str
    operation: BatchOperation
    entity_name: str | None
    entity: dict[str, Any] | None
    fault: QboFault | None
    requestid: str | None = None
    outcome_unknown: bool = False

    @property
    def ok(self) -> bool:
        return self.fault is None


@dataclass(frozen=True)
class WriteResult:
    """A create/update/void/delete that QuickBooks confirmed. ``uncertain_attempts`` > 0
    means an earlier attempt's answer was lost and this answer came from a retry with the
    same requestid (QuickBooks replays the original answer; it did not act twice unless its
    requestid memory failed, which the caller can check by DocNumber)."""

    entity_name: str
    entity: dict[str, Any]
    requestid: str
    uncertain_attempts: int = 0

    @property
    def id(self) -> str | None:
        value = self.entity.get("Id")
        return None if value is None else str(value)

    @property
    def sync_token(self) -> str | None:
        value = self.entity.get("SyncToken")
        return None if value is None else str(value)


@dataclass(frozen=True)
class CdcChange:
    """One changed object from change data capture (latest version only)."""

    entity_name: str
    id: str
    deleted: bool
    last_updated: datetime | None
    entity: dict[str, Any] = field(repr=False)

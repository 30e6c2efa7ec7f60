"""QuickBooks' fault codes, classified: what kind of fault a code is, never what to do about it.

Each :class:`FaultKind` has a stable ``key`` (``"2500.item"``, ``"3001"``, ``"html_body"``),
the QuickBooks ``code`` it belongs to, a ``category`` and whether sending the same thing
again can succeed (``retryable``). A code can have several kinds: a kind may narrow its code
by the element QuickBooks names (which field), by words in QuickBooks' Detail or Message,
and by the entity being written. ``classify`` picks the most specific kind that fits;
an unknown code still gets a kind (by HTTP status), so every fault has a key.

Categories: ``data`` (the record itself is refused), ``configuration`` (a reference, a
setting or the app's credentials), ``connection`` (the company's authorisation), ``transient``
(passes by itself; retried). Answers that carry no QuickBooks code (a gateway's HTML page, an
empty body, a lost answer) get codes of this module's own, below, so they classify like
any other fault. Wording for people lives with the caller, keyed by ``FaultKind.key``.
Depends on the standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DATA = "data"
CONFIGURATION = "configuration"
CONNECTION = "connection"
TRANSIENT = "transient"
CATEGORIES = (DATA, CONFIGURATION, CONNECTION, TRANSIENT)

# Codes for answers that carry no QuickBooks code.
HTML_BODY = "html_body"
EMPTY_BODY = "empty_body"
UNPARSEABLE_BODY = "unparseable_body"
CONNECTION_RESET = "connection_reset"
TIMEOUT = "timeout"
OUTCOME_UNKNOWN = "outcome_unknown"
NO_BATCH_ANSWER = "no_batch_answer"
INVALID_GRANT = "invalid_grant"
THROTTLED = "3001"
READS_BLOCKED = "reads_blocked"  # the key of a 429 that blocks CorePlus reads until next month
COREPLUS = r"core\s*plus"  # how QuickBooks' 429 names the metered (CorePlus) calls it blocks


@dataclass(frozen=True)
class FaultKind:
    key: str
    code: str
    category: str
    retryable: bool
    element: str | None = None  # regex on the fault's element (case-insensitive)
    detail: str | None = None  # regex on Detail + Message (case-insensitive)
    entities: tuple[str, ...] = ()  # entity names this variant applies to

    def matches(self, element: str, text: str, entity_name: str | None) -> int | None:
        """A specificity score when this kind fits the fault, else None."""
        score = 0
        if self.element is not None:
            if not element or not re.search(self.element, element, re.I):
                return None
            score += 4
        if self.detail is not None:
            if not re.search(self.detail, text, re.I):
                return None
            score += 2
        if self.entities:
            if entity_name not in self.entities:
                return None
            score += 1
        return score


def _k(key: str, code: str, category: str, retryable: bool, **narrowed: object) -> FaultKind:
    return FaultKind(key, code, category, retryable, **narrowed)  # type: ignore[arg-type]


# Among kinds of one code, the most specific that fits wins; among equals, the first listed.
KINDS: tuple[FaultKind, ...] = (
    # 2020 required parameter missing
    _k("2020.line", "2020", DATA, False, element=r"^Line$|^Line\b"),
    _k("2020.line_detail", "2020", DATA, False, detail=r"parameter Line\b"),
    _k("2020", "2020", DATA, False),
    # 6140 duplicate document number (DocNumber, or a payment's PaymentRefNum for the customer)
    _k("6140.payment", "6140", DATA, False, entities=("Payment",)),
    _k("6140", "6140", DATA, False),
    # 6240 duplicate name (names are unique across customers, vendors and employees; items apart)
    _k("6240.item", "6240", CONFIGURATION, False, detail=r"product or service|item", entities=("Item",)),
    _k("6240", "6240", DATA, False),
    # 6000 business validation error: Detail says which rule
    _k("6000.tax", "6000", CONFIGURATION, False, detail=r"tax|\bGST\b|\bVAT\b"),
    _k("6000.tax_line", "6000", CONFIGURATION, False, element=r"TaxCode"),
    _k("6000.name_colon", "6000", DATA, False, detail=r"colon"),
    _k("6000.voided", "6000", DATA, False, detail=r"voided"),
    _k("6000.amount", "6000", DATA, False, detail=r"transaction amount|amount.*(required|must)"),
    _k("6000.income_account", "6000", CONFIGURATION, False, detail=r"income account"),
    _k("6000.inventory_date", "6000", CONFIGURATION, False, detail=r"inventory|as of date|start date"),
    _k("6000.currency", "6000", CONFIGURATION, False, detail=r"currenc"),
    _k("6000", "6000", DATA, False),
    # 2500 invalid reference: the element says which reference
    _k("2500.item", "2500", CONFIGURATION, False, element=r"ItemRef"),
    _k("2500.tax", "2500", CONFIGURATION, False, element=r"TaxCode"),
    _k("2500.parent", "2500", DATA, False, element=r"ParentRef"),
    _k("2500.customer", "2500", DATA, False, element=r"CustomerRef"),
    _k("2500.account", "2500", CONFIGURATION, False, element=r"AccountRef"),
    _k("2500.linked", "2500", DATA, False, element=r"LinkedTxn"),
    _k("2500", "2500", CONFIGURATION, False),
    # 610 object not found (deleted, or made inactive)
    _k("610.linked", "610", DATA, False, element=r"LinkedTxn|TxnId"),
    _k("610.deleted", "610", DATA, False, detail=r"deleted"),
    _k("610.customer", "610", DATA, False, element=r"CustomerRef"),
    _k("610.customer_entity", "610", DATA, False, entities=("Customer",)),
    _k("610", "610", DATA, False),
    # 6250 sale to an inactive customer
    _k("6250", "6250", DATA, False),
    # 5010 stale object (SyncToken out of date)
    _k("5010", "5010", TRANSIENT, True),
    # 6210 transaction date in a closed period
    _k("6210", "6210", CONFIGURATION, False),
    # 2210 e-mail address not RFC 822
    _k("2210", "2210", DATA, False),
    # 2050 string length out of range: the element says which field
    _k("2050.payment_ref", "2050", DATA, False, element=r"PaymentRefNum"),
    _k("2050.doc_number", "2050", DATA, False, element=r"DocNumber"),
    _k("2050.requestid", "2050", CONFIGURATION, False, element=r"requestid"),
    _k("2050", "2050", DATA, False),
    # 620 payment linked to a transaction it cannot apply to (another customer's invoice)
    _k("620", "620", DATA, False),
    # 6080 customer without any name
    _k("6080", "6080", DATA, False),
    # 6070 line Amount is not Qty x UnitPrice
    _k("6070", "6070", DATA, False),
    # 4000 / 4001 query parser error / invalid query
    _k("4000", "4000", CONFIGURATION, False),
    _k("4001", "4001", CONFIGURATION, False),
    # 10000 system failure
    _k("10000", "10000", TRANSIENT, True),
    # 3001 throttled (429); a 429 naming CorePlus calls is the monthly metering block
    _k(READS_BLOCKED, THROTTLED, CONFIGURATION, False, detail=COREPLUS),
    _k(THROTTLED, THROTTLED, TRANSIENT, True),
    # 3200 authentication failed (401): the access token; refreshed and retried once
    _k("3200", "3200", CONNECTION, True),
    # 3100 authorization failed (403): subscription lapsed or the user lost admin rights
    _k("3100", "3100", CONNECTION, False),
    # OAuth token endpoint
    _k(INVALID_GRANT, INVALID_GRANT, CONNECTION, False),
    _k("invalid_client", "invalid_client", CONFIGURATION, False),
    # answers without a QuickBooks code
    _k(HTML_BODY, HTML_BODY, TRANSIENT, True),
    _k(EMPTY_BODY, EMPTY_BODY, TRANSIENT, True),
    _k(UNPARSEABLE_BODY, UNPARSEABLE_BODY, TRANSIENT, True),
    _k(CONNECTION_RESET, CONNECTION_RESET, TRANSIENT, True),
    _k(TIMEOUT, TIMEOUT, TRANSIENT, True),
    _k(OUTCOME_UNKNOWN, OUTCOME_UNKNOWN, TRANSIENT, True),
    _k(NO_BATCH_ANSWER, NO_BATCH_ANSWER, TRANSIENT, True),
    # 2010 unsupported property; 500 unsupported operation
    _k("2010", "2010", CONFIGURATION, False),
    _k("500", "500", CONFIGURATION, False),
)

# When no kind of the code fits (or the code is new): by HTTP status.
UNKNOWN_SERVER = FaultKind("unknown.server", "", TRANSIENT, True)
UNKNOWN = FaultKind("unknown", "", DATA, False)

_BY_CODE: dict[str, list[FaultKind]] = {}
for _kind in KINDS:
    _BY_CODE.setdefault(_kind.code, []).append(_kind)
BY_KEY: dict[str, FaultKind] = {k.key: k for k in (*KINDS, UNKNOWN, UNKNOWN_SERVER)}


def _normalise_code(code: str) -> str:
    code = (code or "").strip()
    return code.lstrip("0") or code if code.isdigit() else code


def classify(
    code: str,
    *,
    element: str = "",
    detail: str = "",
    message: str = "",
    entity_name: str | None = None,
    http_status: int | None = None,
) -> FaultKind:
    """The kind of a fault: the most specific kind of its code that fits."""
    normalised = _normalise_code(code)
    if normalised.startswith("http_") and http_status is None:
        try:
            http_status = int(normalised[5:])
        except ValueError:
            pass
    text = f"{detail} {message}"
    best: tuple[int, FaultKind] | None = None
    for kind in _BY_CODE.get(normalised, []):
        score = kind.matches(element or "", text, entity_name)
        if score is not None and (best is None or score > best[0]):
            best = (score, kind)
    if best is not None:
        return best[1]
    if http_status is not None and http_status >= 500:
        return UNKNOWN_SERVER
    if http_status == 429:
        return BY_KEY[THROTTLED]
    if http_status == 401:
        return BY_KEY["3200"]
    if http_status == 403:
        return BY_KEY["3100"]
    return UNKNOWN


def kind(key: str) -> FaultKind:
    """The kind with this key (``KeyError`` for a key that does not exist)."""
    return BY_KEY[key]

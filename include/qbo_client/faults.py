"""QuickBooks' answers that are not what we asked for, turned into :class:`QboFault`.

QuickBooks is not consistent about the shape of a failure, and the peers' parsers broke
on exactly that, so every shape is handled here:

* validation/system faults: JSON ``{"Fault": {"Error": [{"Message", "Detail", "code",
  "element"}], "type"}}`` (several errors possible);
* the 401 body: the same with LOWER-case keys (``fault`` / ``error`` / ``message``);
* the 429 body: XML (``<IntuitResponse><Fault><Error code="3001">``) even when JSON was asked;
* gateways: an HTML page or an empty body;
* OAuth: ``{"error": "invalid_grant", "error_description": ...}``.

Gateway shapes get codes of ``qbo_client.codes`` (``html_body``, ``empty_body``, ...) so
they classify like any other fault: every fault has a ``kind`` (key, category, retryable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qbo_client.codes import COREPLUS, EMPTY_BODY, HTML_BODY, UNPARSEABLE_BODY, FaultKind, classify
from qbo_client.jsonutil import loads

# A 429 that names CorePlus calls is the monthly metering block, not the per-minute throttle.
# Intuit does not document the body (see qbo_emulator/README, "Metered reads"); we look for the
# word in Message or Detail so the 60-second wait-and-retry of a throttle is not wasted on it.
_COREPLUS = re.compile(COREPLUS, re.I)


def is_reads_blocked(fault: QboFault) -> bool:
    return fault.http_status == 429 and bool(_COREPLUS.search(f"{fault.message} {fault.detail}"))


# The 401 detail may quote the start of the rejected token; it never leaves this module.
_TOKEN_IN_DETAIL = re.compile(r"(?i)(token\s*(?:expired|invalid)?\s*:?\s*)([A-Za-z0-9._\-]{6,})")


@dataclass(frozen=True)
class QboFault:
    """One QuickBooks error (the first one of a Fault; the others are in ``more``).

    ``message``, ``detail`` and ``element`` are QuickBooks' own; ``kind`` classifies them.
    """

    code: str
    message: str = ""
    detail: str = ""
    element: str = ""
    http_status: int | None = None
    fault_type: str = ""
    entity_name: str | None = None
    more: tuple[QboFault, ...] = field(default=(), repr=False)

    @property
    def errors(self) -> tuple[QboFault, ...]:
        """Every error of the fault, this one first."""
        return (self, *self.more)

    @property
    def kind(self) -> FaultKind:
        """What kind of fault this is (``qbo_client.codes``)."""
        return classify(
            self.code,
            element=self.element,
            detail=self.detail,
            message=self.message,
            entity_name=self.entity_name,
            http_status=self.http_status,
        )

    @property
    def key(self) -> str:
        """The stable key of its kind: what a caller's own wording is looked up by."""
        return self.kind.key

    @property
    def category(self) -> str:
        return self.kind.category

    @property
    def retryable(self) -> bool:
        return self.kind.retryable

    def with_entity(self, entity_name: str | None) -> QboFault:
        if entity_name is None or self.entity_name == entity_name:
            return self
        more = tuple(m.with_entity(entity_name) for m in self.more)
        return QboFault(
            self.code, self.message, self.detail, self.element, self.http_status, self.fault_type, entity_name, more
        )

    def summary(self) -> str:
        text = f"QuickBooks error {self.code}: {self.message}".rstrip(": ")
        if self.detail:
            text += f" ({self.detail})"
        if self.element:
            text += f" [element {self.element}]"
        return text

    def as_dict(self) -> dict[str, Any]:
        """Plain values for a log or XCom (no secrets ever reach a fault)."""
        kind = self.kind
        return {
            "code": self.code,
            "message": self.message,
            "detail": self.detail,
            "element": self.element,
            "http_status": self.http_status,
            "fault_type": self.fault_type,
            "entity_name": self.entity_name,
            "key": kind.key,
            "category": kind.category,
            "retryable": kind.retryable,
            "more": [m.as_dict() for m in self.more],
        }


def gateway_fault(code: str, http_status: int | None, message: str, entity_name: str | None = None) -> QboFault:
    return QboFault(code, message, "", "", http_status, "gateway", entity_name)


def fault_from_json(payload: Any, http_status: int | None, entity_name: str | None = None) -> QboFault | None:
    """The fault in a parsed JSON body, whatever the case of its keys; None if there is none."""
    if not isinstance(payload, dict):
        return None
    block = payload.get("Fault") or payload.get("fault")
    if isinstance(block, dict):
        errors = block.get("Error") or block.get("error") or []
        fault_type = str(block.get("type") or "")
        if isinstance(errors, dict):
            errors = [errors]
        items = [_error_item(e, http_status, fault_type, entity_name) for e in errors if isinstance(e, dict)]
        if not items:
            items = [
                QboFault(
                    "unknown", "QuickBooks answered with an empty fault", "", "", http_status, fault_type, entity_name
                )
            ]
        first = items[0]
        return QboFault(
            first.code,
            first.message,
            first.detail,
            first.element,
            http_status,
            fault_type,
            entity_name,
            tuple(items[1:]),
        )
    oauth_error = payload.get("error")
    if isinstance(oauth_error, str):
        return QboFault(
            oauth_error, oauth_error, str(payload.get("error_description") or ""), "", http_status, "oauth", entity_name
        )
    return None


def _error_item(error: dict[str, Any], http_status: int | None, fault_type: str, entity_name: str | None) -> QboFault:
    def pick(*keys: str) -> str:
        for key in keys:
            value = error.get(key)
            if value is not None:
                return str(value)
        return ""

    code = pick("code", "Code") or "unknown"
    message = pick("Message", "message")
    detail = pick("Detail", "detail")
    if http_status == 401 or code == "3200":
        detail = _TOKEN_IN_DETAIL.sub(lambda m: m.group(1) + "[redacted]", detail)
    # Some gateways put the code inside the message: "errorCode=003200".
    if code == "unknown":
        found = re.search(r"errorCode=0*(\d+)", message)
        if found:
            code = found.group(1)
    return QboFault(code, message, detail, pick("element", "Element"), http_status, fault_type, entity_name)


_XML_FAULT = re.compile(r"<Fault\b([^>]*)>", re.S)
_XML_ERROR = re.compile(r"<Error\b([^>]*)>(?P<body>.*?)</Error>", re.S)
_XML_ATTR = re.compile(r'\b(\w+)="([^"]*)"')
_XML_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.S)
_XML_DETAIL = re.compile(r"<Detail>(.*?)</Detail>", re.S)


def fault_from_xml(text: str, http_status: int | None, entity_name: str | None = None) -> QboFault | None:
    """The 429 (and any other) XML fault. Regular expressions rather than an XML parser:
    the body is tiny and this never expands entities from a body we do not control."""
    fault_match = _XML_FAULT.search(text)
    errors = list(_XML_ERROR.finditer(text))
    if not errors:
        return None
    fault_type = dict(_XML_ATTR.findall(fault_match.group(1))).get("type", "") if fault_match else ""
    items = []
    for match in errors:
        attrs = dict(_XML_ATTR.findall(match.group(1)))
        body = match.group("body")
        message = _XML_MESSAGE.search(body)
        detail = _XML_DETAIL.search(body)
        items.append(
            QboFault(
                attrs.get("code", "unknown"),
                _unescape(message.group(1)) if message else "",
                _unescape(detail.group(1)) if detail else "",
                attrs.get("element", ""),
                http_status,
                fault_type,
                entity_name,
            )
        )
    first = items[0]
    return QboFault(
        first.code, first.message, first.detail, first.element, http_status, fault_type, entity_name, tuple(items[1:])
    )


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    ).strip()


@dataclass(frozen=True)
class ParsedBody:
    """An HTTP answer read defensively: ``payload`` when it was JSON, else a ``fault``."""

    payload: Any = None
    fault: QboFault | None = None


def parse_body(status: int, content_type: str, body: bytes, entity_name: str | None = None) -> ParsedBody:
    """Read any answer. ``payload`` is set for a JSON answer without a fault; ``fault`` for
    everything else (a JSON fault, XML, HTML, empty, garbage)."""
    text = body.strip()
    if not text:
        return ParsedBody(
            fault=gateway_fault(EMPTY_BODY, status, "QuickBooks answered with an empty body", entity_name)
        )
    if text.startswith(b"<"):
        decoded = text.decode("utf-8", "replace")
        if "<IntuitResponse" in decoded or "<Fault" in decoded:
            fault = fault_from_xml(decoded, status, entity_name)
            if fault is not None:
                return ParsedBody(fault=fault)
        return ParsedBody(fault=gateway_fault(HTML_BODY, status, "QuickBooks answered with an HTML page", entity_name))
    try:
        payload = loads(text)
    except ValueError:
        return ParsedBody(
            fault=gateway_fault(UNPARSEABLE_BODY, status, "QuickBooks answered with unreadable data", entity_name)
        )
    fault = fault_from_json(payload, status, entity_name)
    if fault is not None:
        return ParsedBody(fault=fault)
    if status >= 400:
        return ParsedBody(
            fault=gateway_fault(f"http_{status}", status, f"HTTP {status} without a fault body", entity_name)
        )
    return ParsedBody(payload=payload)

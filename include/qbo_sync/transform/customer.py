"""Clients become QuickBooks Customers.

DisplayName is unique across a company's customers, vendors and employees, so it comes
from a per-tenant template whose default adds a tag of the client id: two people called
Jane Smith never merge. QuickBooks forbids a colon in DisplayName (it separates
sub-customer paths), so one becomes a hyphen; it forbids a tab or a newline in a name and
its parts too, so each run of them becomes one space (:func:`without_tab_or_newline`). Each
change is said on the synced outcome (transform/adjustments.py, docs/adjustments.md).
"""

from __future__ import annotations

import re
from typing import Any

from qbo_sync.extract.records import DEFAULT_NAME_TEMPLATE, Client
from qbo_sync.transform.adjustments import Adjustments, cut, noted, replaced

DISPLAY_NAME_MAX = 500
PERSON_NAME_MAX = 100
COMPANY_NAME_MAX = 100
EMAIL_MAX = 100
PHONE_MAX = 30


_TAB_OR_NEWLINE = re.compile(r"[\t\r\n]+")


def without_tab_or_newline(name: str) -> str:
    """QuickBooks refuses a tab or a newline in a name (DisplayName and its parts): each run
    of them becomes one space."""
    return _TAB_OR_NEWLINE.sub(" ", name)


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def person_name(client: Client) -> str:
    return " ".join(p for p in (_clean(client.first_name), _clean(client.last_name)) if p)


def base_name(client: Client) -> str:
    """The name people know the client by: full name, else company name."""
    return person_name(client) or _clean(client.company_name)


def has_name(client: Client) -> bool:
    # QuickBooks needs a name; the seeds' apps want first and last, or a company.
    first, last = _clean(client.first_name), _clean(client.last_name)
    return bool((first and last) or _clean(client.company_name))


def client_tag(client_id: int) -> str:
    return f"{client_id % 100000:05d}"


def display_name(
    client: Client,
    template: str = DEFAULT_NAME_TEMPLATE,
    suffix: int | None = None,
    adjustments: Adjustments | None = None,
) -> str:
    """``template`` with {name}, {tag}, {id}; ``suffix`` adds the " - 2" differentiator.
    What had to change for QuickBooks is added to ``adjustments``."""
    tail_free = template.format(name="", tag=client_tag(client.id), id=client.id)
    room = DISPLAY_NAME_MAX - len(tail_free) - (len(f" - {suffix}") if suffix else 0)
    name = cut(base_name(client), max(room, 1), "the client's name in the customer display name", adjustments)
    result = template.format(name=name, tag=client_tag(client.id), id=client.id).strip()
    if suffix:
        result = f"{result} - {suffix}"
    result = replaced(result, ":", "-", "customer display name (QuickBooks keeps ':' for sub-customers)", adjustments)
    cleaned = without_tab_or_newline(result)
    if cleaned != result:
        noted(
            "customer display name: tabs and line breaks replaced by spaces (QuickBooks refuses them in names)",
            adjustments,
        )
    return cleaned


# RFC 822 addr-spec with atoms only (what QuickBooks' fault 2210 cites): words of ASCII letters,
# digits and !#$%&'*+-/=?^_`{|}~ joined by single dots, one @, and a domain of such words.
_ATOM = r"[!#$%&'*+\-/=?^_`{|}~0-9A-Za-z]+"
_ADDR_SPEC = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*")


def email_problem(email: str | None) -> str | None:
    """Why QuickBooks would refuse this e-mail address (fault 2210), in plain words; None
    when it is fine or empty. Surrounding spaces do not count (they are trimmed)."""
    address = (email or "").strip()
    if not address or len(address) > EMAIL_MAX:
        return None  # empty: nothing to send; too long: its own check (email_too_long)
    if _ADDR_SPEC.fullmatch(address):
        return None
    if "," in address or ";" in address:
        return "it holds several addresses; QuickBooks takes one"
    if any(c.isspace() for c in address):
        return "it contains a space"
    if address.count("@") != 1:
        return "it has no @" if "@" not in address else "it has more than one @"
    local, domain = address.split("@")
    if not local or not domain:
        return "nothing comes before the @" if not local else "nothing comes after the @"
    if not address.isascii():
        return "it contains accented or other non-ASCII letters"
    if address.endswith(".") or ".." in address or local.startswith(".") or domain.startswith("."):
        return "it has a dot at the start or end of a part, or two dots together"
    return "it contains characters an e-mail address cannot have"


def email_omitted_note(client: Client) -> str | None:
    """The sync-log note of a client synced without its e-mail address (policy 'omit')."""
    problem = email_problem(client.email)
    if problem is None:
        return None
    return (
        f"Synced without its e-mail address '{client.email.strip()}': {problem}, and QuickBooks "
        "refuses an address that is not one valid address (fault 2210). Correct the address in "
        "the billing app and the next sync sends it."
    )


def customer_payload(
    client: Client,
    *,
    display: str,
    parent_qbo_id: str | None = None,
    adjustments: Adjustments | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"DisplayName": display}
    if _clean(client.first_name):
        payload["GivenName"] = cut(_clean(client.first_name), PERSON_NAME_MAX, "first name", adjustments)
    if _clean(client.last_name):
        payload["FamilyName"] = cut(_clean(client.last_name), PERSON_NAME_MAX, "last name", adjustments)
    if _clean(client.company_name):
        payload["CompanyName"] = cut(_clean(client.company_name), COMPANY_NAME_MAX, "company name", adjustments)
    problem = email_problem(client.email)
    if client.email and len(client.email.strip()) <= EMAIL_MAX and problem is None:
        payload["PrimaryEmailAddr"] = {"Address": client.email.strip()}
    elif problem is not None:  # tenant policy 'omit' (under 'fail' validation stopped the client)
        noted(email_omitted_note(client), adjustments)
    elif client.email:  # validation fails these first (email_too_long); kept as a safety net
        noted(f"e-mail address not sent: over QuickBooks' {EMAIL_MAX} characters", adjustments)
    if client.phone:
        payload["PrimaryPhone"] = {"FreeFormNumber": cut(_clean(client.phone), PHONE_MAX, "phone number", adjustments)}
    if parent_qbo_id:
        payload["Job"] = True
        payload["ParentRef"] = {"value": parent_qbo_id}
        payload["BillWithParent"] = False
    return payload

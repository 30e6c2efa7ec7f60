"""Messages the page shows after an action, carried in the redirect's query string.

Anyone can put ``?error=...`` in a link, and the page would show it as if the app said it
("session expired, sign in at ..."). So a message is shown only with its signature: an
HMAC over its kind and text keyed by the signed-in user's Airflow token. Only the server,
answering that user's own request, can compute it; a link crafted by someone else (who
does not hold the victim's token) shows nothing. A message outlives a new login by nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

KINDS = ("msg", "error")
SIGNATURE = "sig"


def _sign(token: str, kind: str, text: str) -> str:
    data = f"qbo-sync-ui-flash\x00{kind}\x00{text}".encode()
    return hmac.new(token.encode(), data, hashlib.sha256).hexdigest()


def query(token: str, kind: str, text: str) -> str:
    """``kind=text&sig=...`` for a redirect back to the page."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    return urlencode({kind: text, SIGNATURE: _sign(token, kind, text)})


def verified(token: str, kind: str, text: str | None, signature: str | None) -> str | None:
    """The message if it carries this user's signature for it, else None (not shown)."""
    if not text or not signature or not token:
        return None
    return text if hmac.compare_digest(signature, _sign(token, kind, text)) else None

"""Connect tenants to QuickBooks companies and see their state.

    python -m qbo_sync.companies connect --tenant-id 1 --realm-id 9130... --refresh-token-stdin [--sync-from DATE]
    python -m qbo_sync.companies authorize --tenant-id 1 [--sync-from DATE] [--port 8721] [--redirect-uri URL]
    python -m qbo_sync.companies facts --tenant-id 1
    python -m qbo_sync.companies status
    python -m qbo_sync.companies disconnect --tenant-id 1
    python -m qbo_sync.companies rotate-key

``connect`` reads the refresh token from stdin (so it never lands in shell history or
``ps``), stores it encrypted and, unless ``--no-verify``, refreshes once and reads the
company to prove it works, recording the company's country, home currency,
multicurrency and tax model (the company decides the tenant's region). ``--sync-from``
chooses where history starts (default: now, said in the output). ``authorize`` runs the OAuth
authorization-code flow from the
configured discovery document: it listens on a local port for the redirect, prints the
URL to open (register the redirect URI in the app's Keys & OAuth settings - QuickBooks
and the emulator refuse any other) and waits; the emulator's authorize page approves at
once, so against it no browser is needed.

The app's credentials: QBO_CLIENT_ID, QBO_CLIENT_SECRET, QBO_ENVIRONMENT (production |
sandbox | custom), QBO_API_BASE_URL, QBO_DISCOVERY_URL, or AIRFLOW_CONN_QUICKBOOKS_DEFAULT
(JSON). The token key: QBO_SYNC_FERNET_KEY. The database: --database-url, else
QBO_SYNC_DATABASE_URL, else the embedded one. Tokens are never printed.
"""

from __future__ import annotations

import argparse
import getpass
import hmac
import http.server
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO
from urllib.parse import parse_qs, urlparse

import requests

from qbo_client import QboError, ReconnectRequired, TokenSet
from qbo_sync.companies.crypto import EncryptionKeyError, TokenCipher
from qbo_sync.companies.oauth_flow import finish_connection, verify_company
from qbo_sync.companies.settings import AppSettings, AppSettingsError
from qbo_sync.companies.store import connect_tenant, connection_status, mark_disconnected, rotate_key
from qbo_sync.companies.sync_from import announce, sync_from_arg


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qbo_sync.companies",
        allow_abbrev=False,
        description="Connect tenants to their QuickBooks companies.",
    )
    parser.add_argument("--database-url", help="the project database (default: QBO_SYNC_DATABASE_URL or embedded)")
    sub = parser.add_subparsers(dest="command", required=True)

    connect = sub.add_parser("connect", help="store a refresh token for a tenant's company (read from stdin)")
    connect.add_argument("--tenant-id", type=int, required=True)
    connect.add_argument("--realm-id", required=True, help="the QuickBooks company id (realmId)")
    connect.add_argument(
        "--refresh-token-stdin",
        action="store_true",
        required=True,
        help="read the refresh token from stdin (required: never pass tokens as arguments)",
    )
    connect.add_argument(
        "--no-verify",
        action="store_true",
        help="do not refresh once and read the company (then run `facts` before the first sync)",
    )
    _sync_from_option(connect)

    authorize = sub.add_parser("authorize", help="connect a tenant through the OAuth authorization-code flow")
    authorize.add_argument("--tenant-id", type=int, required=True)
    authorize.add_argument("--port", type=int, default=0, help="local port for the redirect (default: any free)")
    authorize.add_argument(
        "--redirect-uri", help="redirect URI registered with Intuit (default http://localhost:<port>/callback)"
    )
    authorize.add_argument("--realm-id", help="for the emulator: which company to approve")
    authorize.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the redirect")
    _sync_from_option(authorize)

    facts = sub.add_parser(
        "facts",
        help="read the tenant's company again and record its country, currency "
        "and tax model (changes nothing in QuickBooks)",
    )
    facts.add_argument("--tenant-id", type=int, required=True)

    sub.add_parser("status", help="list tenants, realm, status, reason, token expiry (never the tokens)")

    disconnect = sub.add_parser("disconnect", help="revoke a tenant's tokens and stop syncing it")
    disconnect.add_argument("--tenant-id", type=int, required=True)

    sub.add_parser("rotate-key", help="re-encrypt every stored token with the first key of QBO_SYNC_FERNET_KEY")
    return parser


def _sync_from_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sync-from",
        type=sync_from_arg,
        metavar="YYYY-MM-DD",
        help="sync records finalized from this date (UTC) on; earlier ones are historical "
        "and never sync (default: now; a reconnect to the same company keeps its date)",
    )


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = stdout or sys.stdout
    try:
        return _COMMANDS[args.command](args, stdin or sys.stdin, out)
    except (AppSettingsError, EncryptionKeyError, QboError, ValueError, LookupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _connect_db(args: argparse.Namespace):
    from qbo_sync.db.connection import connect

    return connect(args.database_url)


# --- connect -----------------------------------------------------------------------------
def cmd_connect(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    cipher = TokenCipher.from_env()
    if stdin.isatty():
        token = getpass.getpass("QuickBooks refresh token (not echoed): ")
    else:
        token = stdin.readline()
    token = token.strip()
    if not token:
        raise ValueError("no refresh token on stdin")
    settings = None if args.no_verify else AppSettings.from_env()
    with _connect_db(args) as conn:
        connect_tenant(conn, args.tenant_id, args.realm_id, TokenSet(None, token, None, None), cipher)
        print(f"tenant {args.tenant_id}: stored the refresh token for realm {args.realm_id} (encrypted)", file=out)
        _say_sync_from(conn, args, out)
        if settings is not None:
            _record_facts(conn, args.tenant_id, settings, cipher, out)
        else:
            print(
                f"tenant {args.tenant_id}: the company was not read (--no-verify): the sync refuses this "
                f"tenant until `python -m qbo_sync.companies facts --tenant-id {args.tenant_id}` records "
                "its country, currency and tax model",
                file=out,
            )
    return 0


def _say_sync_from(conn, args: argparse.Namespace, out: TextIO) -> None:
    """Apply --sync-from (if given) and say where the tenant's history starts."""
    from qbo_sync.companies.sync_from import set_sync_from

    if args.sync_from is not None:
        set_sync_from(conn, args.tenant_id, args.sync_from, requested_by="companies connect --sync-from")
    moment = next(r.connected_at for r in connection_status(conn) if r.tenant_id == args.tenant_id)
    conn.commit()
    print(announce(args.tenant_id, moment, chosen=args.sync_from is not None), file=out)


def _record_facts(conn, tenant_id: int, settings: AppSettings, cipher: TokenCipher, out: TextIO) -> None:
    """Refresh once, read the company and record its facts (the company decides the region)."""
    try:
        realm_id, profile = verify_company(conn, tenant_id, settings, cipher)
    except ReconnectRequired as error:
        print(
            f"tenant {tenant_id}: QuickBooks refused the token; status is now reconnect_required. {error.reason}",
            file=out,
        )
        raise
    print(f"tenant {tenant_id}: connected to '{profile.name}' (realm {realm_id}); tokens refreshed and saved", file=out)
    print(f"tenant {tenant_id}: recorded {profile.describe()}", file=out)


def cmd_facts(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    with _connect_db(args) as conn:
        _record_facts(conn, args.tenant_id, AppSettings.from_env(), TokenCipher.from_env(), out)
    return 0


# --- authorize ------------------------------------------------------------------------------
class _Redirect(http.server.BaseHTTPRequestHandler):
    """The local listener of ``authorize``. Only a request to the redirect URI's path that
    carries this run's state ends the wait; anything else (a browser's /favicon.ico, a
    page's probe, a forged callback) is answered 404 or 400 and the wait goes on."""

    path_expected = "/callback"
    state = ""
    result: dict[str, str] = {}
    done = threading.Event()

    def do_GET(self) -> None:
        cls = type(self)
        url = urlparse(self.path)
        if cls.done.is_set() or url.path != cls.path_expected:
            self._answer(404, "Not found.")
            return
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        # The state first: nothing else in a request without it is looked at or reported.
        if not hmac.compare_digest(query.get("state", "").encode(), cls.state.encode()):
            self._answer(
                400,
                "This is not the answer to the authorization started in the terminal "
                "(its state does not match): ignored.",
            )
            return
        cls.result = query
        cls.done.set()
        if query.get("error"):
            self._answer(200, "QuickBooks did not connect the company: see the terminal.")
        else:
            self._answer(200, "QuickBooks connected: you can close this window and return to the terminal.")

    def _answer(self, status: int, text: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(text.encode() + b"\n")

    def log_message(self, *args: object) -> None:  # the query holds the authorization code
        return


def printable(value: str, limit: int = 200) -> str:
    """Text from outside (a redirect's query) made safe for a terminal: control characters
    (escape sequences, CR, backspace...) become '?', and it is cut at ``limit`` characters."""
    cleaned = "".join(c if c.isprintable() else "?" for c in value)
    return cleaned if len(cleaned) <= limit else cleaned[:limit] + "..."


def cmd_authorize(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    cipher = TokenCipher.from_env()
    settings = AppSettings.from_env()
    app = settings.oauth_app()
    handler = type("Redirect", (_Redirect,), {"result": {}, "done": threading.Event()})
    server = http.server.HTTPServer(("127.0.0.1", args.port), handler)
    port = server.server_address[1]
    redirect_uri = args.redirect_uri or f"http://localhost:{port}/callback"
    try:
        url, state = app.authorization_url(redirect_uri)
        handler.state = state
        handler.path_expected = urlparse(redirect_uri).path or "/"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        if args.realm_id:
            url += f"&realm_id={args.realm_id}"
        if not (settings.environment.name == "custom" and _follow_auto_approval(url, redirect_uri, handler)):
            print("Open this page, sign in to QuickBooks and choose the company to connect:", file=out)
            print(f"  {url}", file=out)
            print(f"Waiting for QuickBooks to redirect to {redirect_uri} ...", file=out)
            out.flush()
        if not handler.done.wait(args.timeout):
            raise LookupError(f"no redirect within {args.timeout:.0f} s; run authorize again")
    finally:
        server.shutdown()
        server.server_close()
    result = handler.result  # its state matched: the listener keeps nothing else
    if result.get("error"):
        described = result.get("error_description")
        raise ValueError(
            f"QuickBooks did not authorize the connection ({printable(result['error'], 60)}"
            f"{': ' + printable(described) if described else ''}); nothing was saved. Run authorize "
            "again and approve the connection in QuickBooks"
        )
    with _connect_db(args) as conn:
        done = finish_connection(
            conn,
            args.tenant_id,
            code=result.get("code", ""),
            realm_id=result.get("realmId", ""),
            redirect_uri=redirect_uri,
            settings=settings,
            cipher=cipher,
            app=app,
        )
        print(
            f"tenant {args.tenant_id}: connected to realm {printable(done.realm_id)} "
            f"('{printable(done.company_name)}'); tokens stored encrypted",
            file=out,
        )
        _say_sync_from(conn, args, out)
        print(f"tenant {args.tenant_id}: recorded {done.company.describe()}", file=out)
    return 0


def _follow_auto_approval(url: str, redirect_uri: str, handler: type[_Redirect]) -> bool:
    """A page that approves at once (the emulator) redirects straight back: deliver it."""
    try:
        response = requests.get(url, allow_redirects=False, timeout=30)
    except requests.RequestException:
        return False
    location = response.headers.get("location", "")
    if response.status_code in (301, 302, 303, 307) and location.startswith(redirect_uri):
        requests.get(location, timeout=30)  # our own listener records it
        return handler.done.wait(10)
    return False


# --- status / disconnect / rotate-key ---------------------------------------------------------------
def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def cmd_status(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    with _connect_db(args) as conn:
        rows = connection_status(conn)
    if not rows:
        print("no tenant is connected to QuickBooks yet: see `python -m qbo_sync.companies authorize --help`", file=out)
        return 0
    header = ("tenant", "realm", "status", "access token expires", "refresh token expires", "refreshed")
    table = [header] + [
        (
            str(r.tenant_id),
            r.realm_id,
            r.status,
            _when(r.access_token_expires_at),
            _when(r.refresh_token_expires_at),
            _when(r.refreshed_at),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip(), file=out)
    for r in rows:
        if r.status != "connected" and r.status_reason:
            print(f"\ntenant {r.tenant_id} ({r.status}): {r.status_reason}", file=out)
    return 0


def cmd_disconnect(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    from qbo_sync.companies.store import PostgresTokenStore

    cipher = TokenCipher.from_env()
    with _connect_db(args) as conn:
        try:
            store = PostgresTokenStore(conn, args.tenant_id, cipher)
            tokens = store.current()
            store.close()
            if tokens.refresh_token:
                AppSettings.from_env().oauth_app().revoke(tokens.refresh_token)
        except ReconnectRequired:
            pass  # nothing valid left to revoke
        mark_disconnected(
            conn,
            args.tenant_id,
            "disconnected with `python -m qbo_sync.companies disconnect`; "
            f"run `python -m qbo_sync.companies authorize --tenant-id {args.tenant_id}` to connect again",
        )
    print(f"tenant {args.tenant_id}: disconnected", file=out)
    return 0


def cmd_rotate_key(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    with _connect_db(args) as conn:
        count = rotate_key(conn, TokenCipher.from_env())
    print(f"re-encrypted the tokens of {count} tenant(s) with the first key", file=out)
    return 0


_COMMANDS = {
    "connect": cmd_connect,
    "authorize": cmd_authorize,
    "facts": cmd_facts,
    "status": cmd_status,
    "disconnect": cmd_disconnect,
    "rotate-key": cmd_rotate_key,
}

"""Run the emulator: ``python -m qbo_emulator --host 127.0.0.1 --port 8765``.

``--port 0`` picks a free port; ``--port-file`` then tells other processes which one.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys

import uvicorn

from .app import create_app
from .config import EmulatorConfig

log = logging.getLogger("qbo_emulator")


def build_parser() -> argparse.ArgumentParser:
    defaults = EmulatorConfig(client_id="", client_secret="")
    parser = argparse.ArgumentParser(
        prog="python -m qbo_emulator",
        description="QuickBooks Online emulator: Accounting API v3, OAuth 2.0 and a /_emulator control API, "
        "state in memory.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=8765, help="TCP port; 0 picks a free one (default %(default)s)")
    parser.add_argument("--port-file", help="write the port actually used to this file once listening")
    parser.add_argument("--client-id", help="client id of the default app (default: generated at start)")
    parser.add_argument("--client-secret", help="client secret of the default app (default: generated at start)")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        metavar="URL",
        help="a redirect URI registered for the default app (repeat for more); "
        "authorize refuses any other, as Intuit does",
    )
    parser.add_argument("--no-limits", action="store_true", help="turn every throttling limit off")
    parser.add_argument(
        "--requests-per-minute",
        type=int,
        default=defaults.requests_per_minute,
        help="requests per minute per realm and app (default %(default)s)",
    )
    parser.add_argument(
        "--batches-per-minute",
        type=int,
        default=defaults.batches_per_minute,
        help="batch requests per minute per realm and app (default %(default)s)",
    )
    parser.add_argument(
        "--max-concurrent",
        type=int,
        default=defaults.max_concurrent,
        help="requests in flight at once per realm and app (default %(default)s)",
    )
    parser.add_argument(
        "--requests-per-second",
        type=int,
        default=defaults.requests_per_second,
        help="requests per 'second' (a sixtieth of the minute) per realm and app; 0 = off (default %(default)s)",
    )
    parser.add_argument(
        "--monthly-read-budget",
        type=int,
        default=None,
        help="CorePlus (read) calls each app may make per calendar month before they are "
        "refused until the next month (default: unlimited)",
    )
    parser.add_argument(
        "--minute-seconds",
        type=float,
        default=defaults.minute_seconds,
        help="length in seconds of the rate-limit 'minute' (default %(default)s)",
    )
    parser.add_argument(
        "--max-batch-items",
        type=int,
        default=defaults.max_batch_items,
        help="operations allowed in one batch request (default %(default)s)",
    )
    parser.add_argument(
        "--access-token-lifetime",
        type=int,
        default=defaults.access_token_lifetime,
        help="seconds an access token lives, emulator clock (default %(default)s)",
    )
    parser.add_argument(
        "--refresh-token-lifetime",
        type=int,
        default=defaults.refresh_token_lifetime,
        help="seconds a refresh token lives, emulator clock (default %(default)s)",
    )
    parser.add_argument(
        "--refresh-grace-seconds",
        type=int,
        default=defaults.refresh_grace_seconds,
        help="seconds a rotated-out refresh token keeps working (default %(default)s)",
    )
    parser.add_argument(
        "--requestid-window-seconds",
        type=int,
        default=defaults.requestid_window_seconds,
        help="seconds a requestid is remembered for replay, emulator clock (default %(default)s)",
    )
    parser.add_argument(
        "--cdc-max-objects",
        type=int,
        default=defaults.cdc_max_objects,
        help="objects in one change-data-capture answer at most (default %(default)s)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=defaults.latency_ms,
        help="artificial delay added to every API call, in ms (default %(default)s)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request (off by default: speed)")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default %(default)s)")
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    config = EmulatorConfig(
        limits_enabled=not args.no_limits,
        requests_per_minute=args.requests_per_minute,
        batches_per_minute=args.batches_per_minute,
        max_concurrent=args.max_concurrent,
        requests_per_second=args.requests_per_second,
        monthly_read_budget=args.monthly_read_budget,
        minute_seconds=args.minute_seconds,
        max_batch_items=args.max_batch_items,
        access_token_lifetime=args.access_token_lifetime,
        refresh_token_lifetime=args.refresh_token_lifetime,
        refresh_grace_seconds=args.refresh_grace_seconds,
        requestid_window_seconds=args.requestid_window_seconds,
        cdc_max_objects=args.cdc_max_objects,
        latency_ms=args.latency_ms,
        access_log=args.access_log,
    )
    if args.client_id:
        config.client_id = args.client_id
    if args.client_secret:
        config.client_secret = args.client_secret
    config.redirect_uris = tuple(args.redirect_uri)
    return config


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = config_from_args(args)
    app = create_app(config)

    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    port = sock.getsockname()[1]

    server = uvicorn.Server(
        uvicorn.Config(
            app,
            http="httptools",
            loop="uvloop",
            lifespan="off",
            access_log=config.access_log,
            log_level=args.log_level,
            timeout_keep_alive=30,
            backlog=2048,
        )
    )
    limits = (
        "off"
        if not config.limits_enabled
        else f"{config.requests_per_minute}/min, {config.requests_per_second}/s, "
        f"{config.batches_per_minute} batches/min, "
        f"{config.max_concurrent} concurrent, minute={config.minute_seconds:g}s"
    )
    print(
        f"qbo_emulator listening on http://{args.host}:{port} (client_id={config.client_id}, limits {limits})",
        file=sys.stderr,
        flush=True,
    )
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as handle:
            handle.write(str(port))
        os.replace(tmp, args.port_file)  # atomic: readers never see a half-written port
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())

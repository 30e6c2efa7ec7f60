"""``python -m qbo_devkit.generator generate ...``: write demo billing data and its manifest."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import psycopg

from qbo_devkit.generator.cases import NAMES, UnknownBadCase, resolve
from qbo_devkit.generator.dataset import BillingNotEmpty, Progress, generate
from qbo_sync.db import connect
from qbo_sync.db.embedded import EmbeddedPostgresUnavailable
from qbo_sync.settings import local_dir


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qbo_devkit.generator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="generate demo data into the billing schema")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--tenants", type=_positive, default=3)
    gen.add_argument("--invoices", type=int, default=300, help="total across tenants")
    gen.add_argument("--as-of", type=_as_of, default=None, help="the day the data leads up to (default: today, UTC)")
    gen.add_argument("--bad-cases", default="all", help=f"all, none, or a comma-separated list of: {', '.join(NAMES)}")
    gen.add_argument("--chunk-size", type=_positive, default=5000)
    gen.add_argument(
        "--manifest", type=Path, default=None, help="where to write the manifest (default: .local/demo-manifest.json)"
    )
    gen.add_argument(
        "--replace", action="store_true", help="delete existing billing rows first (the qbo_sync schema is left alone)"
    )
    gen.add_argument("--database-url", default=None, help="default: the project's database")
    sub.add_parser("cases", help="list the bad-case names")
    args = parser.parse_args(argv)

    if args.command == "cases":
        print("\n".join(NAMES))
        return 0
    try:
        cases = resolve(args.bad_cases)
    except UnknownBadCase as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.invoices < 0:
        print("error: --invoices must not be negative", file=sys.stderr)
        return 2
    manifest_path = args.manifest or local_dir() / "demo-manifest.json"
    started = time.monotonic()

    def show(p: Progress) -> None:
        print(
            f"  {p.invoices_done:>9,}/{p.invoices_total:,} invoices "
            f"(chunk {p.chunk}, {time.monotonic() - started:.1f}s)",
            flush=True,
        )

    try:
        with connect(args.database_url) as conn:
            manifest = generate(
                conn,
                seed=args.seed,
                tenants=args.tenants,
                invoices=args.invoices,
                as_of=args.as_of,
                bad_cases=cases,
                chunk_size=args.chunk_size,
                replace=args.replace,
                progress=show,
            )
    except BillingNotEmpty as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except psycopg.errors.UndefinedTable as exc:
        print(
            f"error: the billing schema is missing ({exc.diag.message_primary}); "
            "run `python -m qbo_sync.db migrate` first",
            file=sys.stderr,
        )
        return 2
    except EmbeddedPostgresUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    manifest.write(manifest_path)
    counts = ", ".join(f"{name} {count:,}" for name, count in manifest.counts.items())
    print(f"demo data written in {time.monotonic() - started:.1f}s: {counts}")
    print(
        f"bad records: {len(manifest.bad_records)} from {len(manifest.bad_cases)} case(s)"
        + (f"; not placed: {', '.join(manifest.unplaced_cases)}" if manifest.unplaced_cases else "")
    )
    print(f"manifest: {manifest_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

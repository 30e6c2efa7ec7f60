"""``python -m qbo_sync.records``: link an app record to a QuickBooks record that already
exists, instead of letting the sync create one; or unlink it, so the next resync creates it.

    link    --tenant-id N (--client-id ID --customer-id QBO_ID | --invoice-id ID --qbo-invoice-id QBO_ID)
            [--replace]
    unlink  --tenant-id N (--client-id ID | --invoice-id ID) [--linked-by-mistake]

ID is the billing app's id (the QuickBooks sync page shows it under each record); QBO_ID the
QuickBooks Id (in QuickBooks Online's address bar: txnId= for an invoice, nameId= for a
customer). Link refuses what would double a record or attach it to the wrong one: a QuickBooks
record already linked to another app record, an app record already in QuickBooks as another
record (unless --replace), a QuickBooks record that does not exist, is inactive or voided, an
invoice of another customer, another company. Unlink refuses while the QuickBooks record still
exists and is active (its next resync would make a second copy), unless --linked-by-mistake.
QuickBooks is read once, to check the record. Each link and unlink is written to the record's
history in qbo_sync.sync_log, with who did it (docs/operations.md, "Link and unlink").
Exit status: 0 done (or already so), 1 refused (nothing changed; the message says why and
what to do), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qbo_sync.records", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    link = sub.add_parser("link", help="attach an app record to an existing QuickBooks record")
    unlink = sub.add_parser("unlink", help="forget an app record's QuickBooks record; the next resync creates it")
    for p in (link, unlink):
        p.add_argument("--tenant-id", type=int, required=True)
        which = p.add_mutually_exclusive_group(required=True)
        which.add_argument("--client-id", type=int, help="the billing app's client id")
        which.add_argument("--invoice-id", type=int, help="the billing app's invoice id")
    theirs = link.add_mutually_exclusive_group(required=True)
    theirs.add_argument("--customer-id", metavar="QBO_ID", help="the QuickBooks customer's Id (with --client-id)")
    theirs.add_argument("--qbo-invoice-id", metavar="QBO_ID", help="the QuickBooks invoice's Id (with --invoice-id)")
    link.add_argument(
        "--replace",
        action="store_true",
        help="the app record is linked to (or was synced as) another QuickBooks record: link this one instead",
    )
    unlink.add_argument(
        "--linked-by-mistake",
        action="store_true",
        help="the QuickBooks record is still active but is not this record: unlink anyway",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    entity = "customer" if args.client_id is not None else "invoice"
    source_id = args.client_id if args.client_id is not None else args.invoice_id
    if args.command == "link":
        if entity == "customer" and args.customer_id is None:
            parser.error("--client-id goes with --customer-id (a client is a QuickBooks customer)")
        if entity == "invoice" and args.qbo_invoice_id is None:
            parser.error("--invoice-id goes with --qbo-invoice-id (the QuickBooks invoice's Id)")
    from qbo_sync.companies import client_for_tenant
    from qbo_sync.db.connection import connect
    from qbo_sync.records.links import LinkRefused, link, unlink

    who = f"{getpass.getuser()} (command line)"
    try:
        with connect(autocommit=True) as conn:

            def factory(tenant_id: int):
                return client_for_tenant(conn, tenant_id)

            if args.command == "link":
                done = link(
                    conn,
                    factory,
                    tenant_id=args.tenant_id,
                    entity=entity,
                    source_id=source_id,
                    qbo_id=args.customer_id if entity == "customer" else args.qbo_invoice_id,
                    acted_by=who,
                    replace=args.replace,
                )
            else:
                done = unlink(
                    conn,
                    factory,
                    tenant_id=args.tenant_id,
                    entity=entity,
                    source_id=source_id,
                    acted_by=who,
                    linked_by_mistake=args.linked_by_mistake,
                )
    except LinkRefused as refused:
        print(f"refused ({refused.code}): {refused.cause}\nfix: {refused.fix}", file=sys.stderr)
        return 1
    print(done.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m qbo_sync.tenants``: a tenant's integration settings, from a shell.

    show     [--tenant-id N]
    set      --tenant-id N [--default-service-item NAME] [--default-product-item NAME]
             [--deposit-account NAME] [--no-tax-code NAME] [--sync-from YYYY-MM-DD]
             [--display-name-template '{name} ({tag})'] [--name-clash-policy fail|suffix]
             [--payment-ref-policy fail|truncate] [--sync on|off] [--invalid-email-policy omit|fail]
             [--quickbooks-changes flag|app_wins] [--item-policy default|match|create]
             [--service-income-account NAME] [--product-income-account NAME]
             [--refund-bank-account NAME]
    items    --tenant-id N [--rematch CATALOG_ITEM_ID ... | --rematch-all]
    map-tax  --tenant-id N --tax-rate 'GST' --tax-code 'GST'
    tracking      --tenant-id N [--class NAME | --no-class] [--location NAME | --no-location]
    map-location  --tenant-id N --app-location TEXT [--class NAME] [--location NAME] | --unlink
    access   grant|revoke (--user NAME | --role NAME) (--tenant-id N [N ...] | --all)
    access   list

``access`` says which tenants an Airflow user (or every user with an Airflow role) may see
and act on in the QuickBooks sync page; Airflow admins see every tenant, anyone without a
grant sees none (qbo_sync.tenants.access, docs/operations.md).

The company decides the region: connect/authorize record its country, home currency and
tax model, and a setting that contradicts them (a US code TAX/NON outside the US, settings
made for another company) is refused with the fix.

QuickBooks names (items, accounts, tax codes) are looked up in the tenant's company,
so a typo is refused with the list of what exists instead of being stored. map-tax also
refuses a tax code whose rate differs from the app rate's (outside the US, where the code
sets the rate): QuickBooks would total those invoices differently from the app.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from qbo_sync.companies.sync_from import set_sync_from, sync_from_arg, when
from qbo_sync.db.connection import connect
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.items.settings import item_settings
from qbo_sync.tenants import tracking
from qbo_sync.tenants.company_rules import CompanyContradiction, check_map_tax, check_set
from qbo_sync.tenants.settings import UnknownTaxRate, map_tax_rate, update_settings

POLICY_TEXT = {
    "flag": "flag (reported; nothing is sent for the record until it is resynced or excluded)",
    "app_wins": "app_wins (the next run puts the app's version back)",
}


class NotInQuickBooks(LookupError):
    pass


class RateMismatch(ValueError):
    pass


def resolve(client: Any, entity: str, name: str) -> str:
    """The Id of the active ``entity`` called ``name`` (or with that Id) in the company."""
    from qbo_client import quote

    rows = client.query(f"select * from {entity} where Name = {quote(name)}")
    if not rows and name.isdigit():
        rows = client.query(f"select * from {entity} where Id = {quote(name)}")
    active = [r for r in rows if r.get("Active", True)]
    if len(active) == 1:
        return str(active[0]["Id"])
    known = sorted(str(r.get("Name")) for r in client.query(f"select * from {entity}"))
    raise NotInQuickBooks(
        f"QuickBooks has no active {entity} called {name!r}. Active ones: {', '.join(known) or 'none'}. "
        f"Create or reactivate it in QuickBooks first, or pick one of these."
    )


def resolve_bank_account(client: Any, name: str) -> str:
    """The Id of the active Bank account called ``name``: a cheque is drawn on a Bank account
    (Intuit's Purchase reference: "a type of Check should have bank account")."""
    from qbo_client import quote

    account_id = resolve(client, "Account", name)
    found = client.query(f"select * from Account where Id = {quote(account_id)}")
    kind = found[0].get("AccountType") if found else None
    if kind != "Bank":
        banks = sorted(str(r.get("Name")) for r in client.query("select * from Account where AccountType = 'Bank'"))
        raise NotInQuickBooks(
            f"QuickBooks account {name!r} is of type {kind}; a cheque paying back customer credit is "
            f"drawn on a Bank account. Bank accounts: {', '.join(banks) or 'none'}. Pick one of these, "
            f"or create the bank account in QuickBooks first. Nothing was changed."
        )
    return account_id


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qbo_sync.tenants", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="settings, connection and tax links of tenants")
    show.add_argument("--tenant-id", type=int)
    s = sub.add_parser("set", help="change a tenant's integration settings")
    s.add_argument("--tenant-id", type=int, required=True)
    s.add_argument("--region", help=argparse.SUPPRESS)  # only to refuse it with the company's country
    s.add_argument("--default-service-item", help="QuickBooks Service item for service lines")
    s.add_argument("--default-product-item", help="QuickBooks item for product lines")
    s.add_argument("--deposit-account", help="QuickBooks account payments are deposited to")
    s.add_argument("--no-tax-code", help="QuickBooks tax code for untaxed lines (outside the US)")
    s.add_argument(
        "--refund-bank-account",
        help="QuickBooks Bank account the cheques are drawn on that pay back a customer's credit "
        "(a refund of an overpayment's excess; docs/operations.md, 'Refunds and overpayments')",
    )
    s.add_argument("--display-name-template", help="e.g. '{name} ({tag})'; {tag} = last 5 digits of the client id")
    s.add_argument("--name-clash-policy", choices=["fail", "suffix"])
    s.add_argument("--payment-ref-policy", choices=["fail", "truncate"])
    s.add_argument("--sync", choices=["on", "off"])
    s.add_argument(
        "--invalid-email-policy",
        choices=["omit", "fail"],
        help="a client e-mail address QuickBooks would refuse: sync the client without it "
        "(omit, the default) or fail the client with the fix (fail)",
    )
    s.add_argument(
        "--quickbooks-changes",
        choices=["flag", "app_wins"],
        help="someone edits a synced invoice, payment or credit memo, or makes a synced customer inactive "
        "or renames it in QuickBooks: report it and send nothing for that record until finance resyncs "
        "or excludes it (flag, the default), "
        "or put the app's version back on the next run (app_wins); voids, deletions and merges are "
        "always reported (docs/operations.md, 'Changes made in QuickBooks')",
    )
    s.add_argument(
        "--currency-name-template",
        help="the QuickBooks name of a client's second customer, for invoices in another currency than "
        "the company's home currency (QuickBooks fixes a customer's currency): {display_name} (the "
        "client's usual customer name), {name}, {tag}, {id}, {currency}; default '{display_name} ({currency})'",
    )
    s.add_argument(
        "--sync-from",
        type=sync_from_arg,
        metavar="YYYY-MM-DD",
        help="sync records finalized from this date (UTC) on: earlier makes the records finalized "
        "since then sync on the next run; later leaves what already synced as it is",
    )
    s.add_argument(
        "--item-policy",
        choices=["default", "match", "create"],
        help="which QuickBooks item each invoice line posts to: the default service/product item "
        "(default), the item with the catalog item's SKU else its name (match), or as match and "
        "create missing items (create) (docs/operations.md, 'Items and income accounts')",
    )
    s.add_argument("--service-income-account", help="income account of the service items the sync creates")
    s.add_argument("--product-income-account", help="income account of the product items the sync creates")
    it = sub.add_parser("items", help="each catalog item's QuickBooks item (item policy match/create)")
    it.add_argument("--tenant-id", type=int, required=True)
    again = it.add_mutually_exclusive_group()
    again.add_argument("--rematch", type=int, nargs="+", metavar="CATALOG_ITEM_ID", help="match these again next run")
    again.add_argument("--rematch-all", action="store_true", help="match every catalog item again next run")
    m = sub.add_parser("map-tax", help="link an app tax rate to a QuickBooks tax code")
    m.add_argument("--tenant-id", type=int, required=True)
    m.add_argument("--tax-rate", required=True, help="the app's tax rate name, e.g. 'GST'")
    m.add_argument("--tax-code", required=True, help="the QuickBooks tax code name, e.g. 'GST'")
    a = sub.add_parser("access", help="which tenants an Airflow user or role may see on the sync page")
    verbs = a.add_subparsers(dest="verb", required=True)
    for verb in ("grant", "revoke"):
        v = verbs.add_parser(verb, help=f"{verb} tenants to an Airflow user or role")
        who = v.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="the Airflow user name (as the page's 'signed in as' shows it)")
        who.add_argument("--role", help="an Airflow role (e.g. Viewer, User, Op, or a FAB role)")
        which = v.add_mutually_exclusive_group(required=True)
        which.add_argument("--tenant-id", type=int, nargs="+")
        which.add_argument("--all", action="store_true", help="every tenant, present and future")
    verbs.add_parser("list", help="every grant")
    tracking.add_parsers(sub)  # classes and locations
    return parser


def _access(conn: Any, args: argparse.Namespace) -> int:
    import getpass

    from qbo_sync.tenants import access

    if args.verb == "list":
        rows = access.listing(conn)
        if not rows:
            print("no grants: only Airflow admins see tenants on the QuickBooks sync page")
        for kind, principal, tenant_id, name, by, at in rows:
            what = "every tenant" if tenant_id is None else f"tenant {tenant_id} ({name or 'no such tenant now'})"
            print(f"{kind} {principal}: {what} - granted by {by} {at:%Y-%m-%d %H:%M} UTC")
        return 0
    kind, name = (access.USER, args.user) if args.user else (access.ROLE, args.role)
    tenant_ids = None if args.all else args.tenant_id
    with conn.transaction():
        if args.verb == "grant":
            said = access.grant(conn, kind, name, tenant_ids, granted_by=getpass.getuser())
        else:
            said = access.revoke(conn, kind, name, tenant_ids)
    print("\n".join(said))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with connect(autocommit=True) as conn:
            if args.command == "show":
                return _show(conn, args.tenant_id)
            if args.command == "access":
                return _access(conn, args)
            if args.command in ("tracking", "map-location"):
                named = args.class_name or args.location_name
                client = _client(conn, args.tenant_id) if named else None
                try:
                    return tracking.run(conn, args, client)
                finally:
                    if client is not None:
                        client.close()
            if args.command == "items":
                from qbo_sync.items import cli as items_cli

                if args.rematch or args.rematch_all:
                    items_cli.rematch(conn, args.tenant_id, None if args.rematch_all else args.rematch)
                return items_cli.show_items(conn, args.tenant_id)
            needs_qbo = args.command == "map-tax" or any(
                getattr(args, k, None)
                for k in (
                    "default_service_item",
                    "default_product_item",
                    "deposit_account",
                    "refund_bank_account",
                    "no_tax_code",
                    "region",
                    "service_income_account",
                    "product_income_account",
                )
            )
            client = _client(conn, args.tenant_id) if needs_qbo else None
            try:
                if args.command == "map-tax":
                    check_map_tax(conn, client, args.tenant_id, args.tax_code)
                    code = resolve(client, "TaxCode", args.tax_code)
                    check_rates_agree(conn, client, args.tenant_id, args.tax_rate, code)
                    map_tax_rate(conn, args.tenant_id, args.tax_rate, code)
                    print(
                        f"tenant {args.tenant_id}: tax rate {args.tax_rate!r} -> QuickBooks tax code "
                        f"{args.tax_code!r} (Id {code})"
                    )
                    return 0
                if template := args.display_name_template:
                    if "{name}" not in template:
                        raise ValueError("the display-name template must contain {name}")
                if args.currency_name_template:
                    from qbo_sync.transform.currency import check_template

                    check_template(args.currency_name_template)
                if client is not None:
                    check_set(conn, client, args.tenant_id, region=args.region, no_tax_code=args.no_tax_code)
                changes = {
                    "default_service_item_id": args.default_service_item
                    and resolve(client, "Item", args.default_service_item),
                    "default_product_item_id": args.default_product_item
                    and resolve(client, "Item", args.default_product_item),
                    "deposit_account_id": args.deposit_account and resolve(client, "Account", args.deposit_account),
                    "no_tax_code_id": args.no_tax_code and resolve(client, "TaxCode", args.no_tax_code),
                    "display_name_template": args.display_name_template,
                    "name_clash_policy": args.name_clash_policy,
                    "payment_ref_policy": args.payment_ref_policy,
                    "sync_enabled": None if args.sync is None else args.sync == "on",
                    "invalid_email_policy": args.invalid_email_policy,
                    "quickbooks_change_policy": args.quickbooks_changes,
                    "currency_name_template": args.currency_name_template,
                    "refund_bank_account_id": args.refund_bank_account
                    and resolve_bank_account(client, args.refund_bank_account),
                }
                _set_items(conn, client, args)  # first: an unknown income account changes nothing
                update_settings(conn, args.tenant_id, **changes)
                print(f"tenant {args.tenant_id}: settings saved")
                if args.sync_from is not None:
                    print(set_sync_from(conn, args.tenant_id, args.sync_from).explain())
                return _show(conn, args.tenant_id)
            finally:
                if client is not None:
                    client.close()
    except (NotInQuickBooks, UnknownTaxRate, CompanyContradiction, LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _set_items(conn: Any, client: Any, args: argparse.Namespace) -> None:
    from qbo_sync.items.cli import resolve_income_account
    from qbo_sync.items.settings import update_item_settings

    accounts = {
        kind: name and resolve_income_account(client, name)
        for kind, name in (("service", args.service_income_account), ("product", args.product_income_account))
    }
    update_item_settings(
        conn,
        args.tenant_id,
        policy=args.item_policy,
        service_income_account_id=accounts["service"],
        product_income_account_id=accounts["product"],
    )


def check_rates_agree(conn: Any, client: Any, tenant_id: int, tax_rate: str, code_id: str) -> None:
    """Refuse linking an app rate to a tax code that charges another percentage (the sync
    would fail every invoice using it, as tax_rate_mismatch). US codes are not compared."""
    from qbo_sync.extract.read import tenant_settings
    from qbo_sync.validate.company import codes_charging, percent_text, rates_differ, tax_code_percents

    row = conn.execute(load_sql("tenants/tax_rate_by_name"), {"tenant_id": tenant_id, "name": tax_rate}).fetchone()
    if not row:
        raise UnknownTaxRate(f"tenant {tenant_id} has no tax rate named {tax_rate!r}")
    app_rate = row[1]
    if app_rate is None or tenant_settings(conn, tenant_id).region == "US":
        return
    percent_of = tax_code_percents(client.query)
    name, books = percent_of.get(code_id, ("", None))
    if books is None or not rates_differ(app_rate, books):
        return
    same = codes_charging(app_rate, percent_of)
    hint = (
        f"Tax codes with {percent_text(app_rate * 100)}: {', '.join(same)}."
        if same
        else f"No active QuickBooks tax code charges {percent_text(app_rate * 100)}."
    )
    raise RateMismatch(
        f"app tax rate {tax_rate} is {percent_text(app_rate * 100)} but QuickBooks tax code {name!r} "
        f"charges {percent_text(books)}: invoices using it would total differently in QuickBooks, "
        f"so the sync would fail them (tax_rate_mismatch). {hint} Link one of those, or correct "
        f"the rate in the billing app first. Nothing was changed."
    )


def _client(conn: Any, tenant_id: int) -> Any:
    from qbo_sync.companies import client_for_tenant

    return client_for_tenant(conn, tenant_id)


def _show(conn: Any, tenant_id: int | None) -> int:
    rows = conn.execute(load_sql("tenants/show"), {"tenant_id": tenant_id}).fetchall()
    if not rows:
        print("no such tenant" if tenant_id else "no tenants")
        return 1
    labels = [
        "tenant",
        "name",
        "region",
        "default service item",
        "default product item",
        "deposit account",
        "no-tax code",
        "display-name template",
        "name clash policy",
        "payment ref policy",
        "sync enabled",
        "realm",
        "connection",
        "connection note",
        "company",
        "company country",
        "home currency",
        "multicurrency",
        "tax model",
        "sync from",
        "changes in QuickBooks",
        "currency-name template",
        "refund bank account",
    ]
    for row in rows:
        print("-" * 60)
        for label, value in zip(labels, row, strict=False):
            if label == "sync from" and value is not None:
                value = f"{when(value)} (records finalized earlier do not sync)"
            if label == "changes in QuickBooks" and value in POLICY_TEXT:
                value = POLICY_TEXT[value]
            if label == "refund bank account" and value is None:
                value = "(not set: refunds of customer credit fail until it is; --refund-bank-account)"
            if label == "region" and value is None:
                value = "(not known: the company was never read; connect the tenant)"
            print(f"{label:<22} {'' if value is None else value}")
        print(f"{'item policy':<22} {item_settings(conn, row[0]).policy} (python -m qbo_sync.tenants items)")
        for name, rate, code in conn.execute(load_sql("tenants/tax_map_of_tenant"), {"tenant_id": row[0]}):
            print(f"{'tax rate':<22} {name} ({rate * 100:.2f} %) -> {code or 'NOT LINKED'}")
        for line in tracking.show_lines(conn, row[0]):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

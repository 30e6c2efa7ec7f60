"""``make demo``: demo data, the QuickBooks emulator set up like real companies, a first
run of the qbo_sync DAG with ``airflow dags test``, payments keyed into QuickBooks by
hand and records changed there by a person (quickbooks_edits.py), a second run that reads
them back, what happened to every record, and the reconciliation of both books.

Nothing here fakes an outcome: the summary is read back from ``qbo_sync.sync_log``
after the DAG ran, and compared with what the generator says each bad record should get.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import requests

from qbo_devkit import env as devenv
from qbo_devkit.currency_setup import apply_multicurrency
from qbo_devkit.items_setup import apply_items
from qbo_devkit.quickbooks_edits import edits_in_quickbooks, reconciliation_block
from qbo_devkit.refund_setup import apply_refund_bank_account
from qbo_devkit.tracking_setup import apply_tracking
from qbo_sync.db.connection import connect
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.money import cents
from qbo_sync.settings import local_dir


def apply_quickbooks_setup(client: Any, company: dict[str, Any], setup: Any) -> list[str]:
    """Create what the manifest says the company already had before the sync."""
    from qbo_client import quote

    done = []
    customer_ids: dict[str, str] = {}
    for c in setup.customers:
        body = {k: v for k, v in c.items() if k != "Active"}
        created = client.create("Customer", body).entity
        customer_ids[c["DisplayName"]] = created["Id"]
        if c.get("Active") is False:
            client.update(
                "Customer", {"Id": created["Id"], "SyncToken": created["SyncToken"], "Active": False}, sparse=True
            )
        done.append(f"customer '{c['DisplayName']}'{' (inactive)' if c.get('Active') is False else ''}")
    for v in setup.vendors:
        client.create("Vendor", v)
        done.append(f"vendor '{v['DisplayName']}'")
    for e in setup.employees:
        client.create("Employee", e)
        done.append(f"employee '{e['DisplayName']}'")
    zero_code = "NON" if company["region"] == "US" else _zero_rated_code(client)
    for inv in setup.invoices:
        from decimal import Decimal

        client.create(
            "Invoice",
            {
                "DocNumber": inv["DocNumber"],
                "TxnDate": inv["TxnDate"],
                "CustomerRef": {"value": customer_ids[inv["CustomerDisplayName"]]},
                "Line": [
                    {
                        "DetailType": "SalesItemLineDetail",
                        "Amount": Decimal(inv["Amount"]),
                        "Description": inv.get("Description", ""),
                        "SalesItemLineDetail": {
                            "ItemRef": {"value": company["service_item_id"]},
                            "Qty": Decimal(1),
                            "UnitPrice": Decimal(inv["Amount"]),
                            "TaxCodeRef": {"value": zero_code},
                        },
                    }
                ],
            },
        )
        done.append(f"invoice {inv['DocNumber']} entered by hand")
    for name in setup.inactive_tax_codes:
        for code in client.query(f"select * from TaxCode where Name = {quote(name)}"):
            client.update("TaxCode", {"Id": code["Id"], "SyncToken": code["SyncToken"], "Active": False}, sparse=True)
            done.append(f"tax code '{name}' made inactive")
    for name in setup.inactive_items:
        for item in client.query(f"select * from Item where Name = {quote(name)}"):
            client.update("Item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "Active": False}, sparse=True)
            done.append(f"item '{name}' made inactive")
    return done


def payments_in_quickbooks(conn: Any, manifest: Any) -> dict[int, list[str]]:
    """Between the runs, people record payments directly in QuickBooks: the manifest's
    (a copy of an app payment, a gift-card payment) and split payments on a few invoices."""
    from decimal import Decimal

    from qbo_client.errors import QboFaultError
    from qbo_sync.companies import client_for_tenant

    notes: dict[int, list[str]] = {}
    for t in manifest.tenants:
        if t.revoked:
            continue
        invoices = conn.execute(load_sql("devkit/local/synced_invoices"), {"tenant_id": t.id}).fetchall()
        qbo_of = {row[0]: row[2] for row in invoices}
        done = notes.setdefault(t.id, [])
        with client_for_tenant(conn, t.id) as client:
            method_ids = {r["Name"].lower(): str(r["Id"]) for r in client.query("select * from PaymentMethod")}

            def method_id(name: str, method_ids: dict[str, str] = method_ids, client: Any = client) -> str:
                # A method the company lacks (e.g. "Gift card") is added first, as a person would.
                if name.lower() not in method_ids:
                    method_ids[name.lower()] = str(client.create("PaymentMethod", {"Name": name}).entity["Id"])
                return method_ids[name.lower()]

            def pay(
                invoice_qbo: str, amount: Decimal, ref: str, method: str | None = None, date: str | None = None
            ) -> None:
                invoice = client.read("Invoice", invoice_qbo)
                body = {
                    "CustomerRef": invoice["CustomerRef"],
                    "TotalAmt": amount,
                    "PaymentRefNum": ref,
                    "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice_qbo, "TxnType": "Invoice"}]}],
                }
                if date:
                    body["TxnDate"] = date
                if method:
                    body["PaymentMethodRef"] = {"value": method_id(method)}
                client.create("Payment", body)

            paid_by_hand = set()
            for p in t.quickbooks_setup.payments:
                invoice_qbo = qbo_of.get(p.get("invoice_source_id"))
                if not invoice_qbo:
                    done.append(f"payment {p['PaymentRefNum']} not entered: its invoice is not in QuickBooks")
                    continue
                paid_by_hand.add(invoice_qbo)
                try:
                    pay(
                        invoice_qbo,
                        Decimal(p["TotalAmt"]),
                        p["PaymentRefNum"],
                        p.get("PaymentMethod"),
                        p.get("TxnDate"),
                    )
                except QboFaultError as exc:  # e.g. the sync already posted the app's copy in full
                    done.append(
                        f"payment {p['PaymentRefNum']} not entered: QuickBooks refused it ({exc.fault.summary()})"
                    )
                    continue
                done.append(f"payment {p['PaymentRefNum']} ({p.get('PaymentMethod')}) entered by hand")
            # Split payments: two partials on each of the first open, unpaid invoices.
            for invoice_id, number, invoice_qbo, _client, balance, n_payments in invoices:
                # An invoice just paid by hand above has no balance left in QuickBooks.
                if n_payments or invoice_qbo in paid_by_hand or balance < Decimal("20") or len(done) > 6:
                    continue
                first = cents(balance / 3)
                pay(invoice_qbo, first, f"QB-{invoice_id}-1", "Cash")
                pay(invoice_qbo, first, f"QB-{invoice_id}-2", "Check")
                done.append(f"split payment on {number}: {first} + {first} of {balance}")
    return notes


def _zero_rated_code(client: Any) -> str:
    codes = client.query("select * from TaxCode")
    for wanted in ("GST free", "0.0% Z", "Exempt"):
        for code in codes:
            if code.get("Name") == wanted:
                return str(code["Id"])
    return str(codes[0]["Id"])


def revoke(emulator_url: str, client_id: str, client_secret: str, refresh_token: str) -> None:
    """What a user does in QuickBooks when they disconnect the app."""
    requests.post(
        f"{emulator_url}/oauth2/v1/tokens/revoke",
        auth=(client_id, client_secret),
        json={"token": refresh_token},
        timeout=10,
    ).raise_for_status()


def setup_tenants(conn: Any, emu: Any, manifest: Any, app: tuple[str, str]) -> dict[int, list[str]]:
    from qbo_devkit.provision import provision_tenant
    from qbo_sync.companies import client_for_tenant

    notes: dict[int, list[str]] = {}
    for t in manifest.tenants:
        prefs = {"closed_books_date": t.closed_books_date} if t.closed_books_date else None
        company = provision_tenant(
            conn,
            emu,
            t.id,
            region=t.region,
            preferences=prefs,
            tax_map=t.tax_code_map,
            connected_at=datetime.fromisoformat(t.connected_at),
            display_name_template=t.display_name_template,
        )
        conn.commit()
        with client_for_tenant(conn, t.id) as client:
            notes[t.id] = apply_quickbooks_setup(client, company, t.quickbooks_setup)
            notes[t.id] += apply_tracking(conn, emu, client, company, t.id, t.quickbooks_setup.tracking)
            notes[t.id] += apply_items(conn, client, t.id, t.quickbooks_setup.items)
            notes[t.id] += apply_multicurrency(emu, company, t.quickbooks_setup.multicurrency)
            notes[t.id] += apply_refund_bank_account(conn, client, t.id, t.quickbooks_setup.refund_bank_account)
        if t.revoked:
            revoke(emu.base_url, *app, company["refresh_token"])
            notes[t.id].append("the company disconnected the app (refresh token revoked)")
    return notes


def summarize(conn: Any, run_ids: list[str], manifest: Any) -> str:
    from qbo_sync.report.run import run_report

    outcome: dict[tuple, tuple] = {}
    lines: list[str] = []
    for number, run_id in enumerate(run_ids, start=1):
        report, _failed = run_report(conn, run_id)
        rows = conn.execute(load_sql("devkit/local/run_outcomes"), {"run_id": run_id}).fetchall()
        outcome.update({(r[0], r[1], r[2]): (r[4], r[5], r[6]) for r in rows})
        counts = Counter((r[1], r[4]) for r in rows)
        if number == 1:
            lines += [report, ""]
        lines.append(f"Per-record outcomes of run {number} ({run_id}):")
        for (entity, status), n in sorted(counts.items()):
            lines.append(f"  {entity:<15} {status:<8} {n}")
        lines.append("")
    lines += [
        "Bad cases planted by the generator, and what the sync did with each:",
        f"  {'case':<34} {'record':<28} {'expected':<10} {'got'}",
    ]
    unmet = 0
    by_case: dict[str, list[Any]] = defaultdict(list)
    for r in manifest.bad_records:
        by_case[r.case].append(r)
    for case in sorted(by_case):
        for r in by_case[case]:
            got = outcome.get((r.tenant_id, r.entity, r.source_id))
            if r.entity == "tenant":
                status = conn.execute(load_sql("devkit/local/tenant_status"), {"tenant_id": r.tenant_id}).fetchone()
                shown = f"connection {status[0]}" if status else "not connected"
                ok = bool(status) and status[0] == "reconnect_required"
            elif r.expected == "never_sent":
                shown = "not sent" if got is None else f"{got[0]} ({got[1]})"
                ok = got is None
            elif got is None:
                shown, ok = "no outcome yet (later issue)", False
            else:
                shown = f"{got[0]} ({got[1] or 'ok'}{', refunded by cheque' if got[2] else ''})"
                ok = got[0] == r.expected and (r.code is None or r.code == got[1])
            unmet += not ok
            mark = "ok " if ok else "-- "
            lines.append(
                f"{mark}{case:<34} {(r.entity + ' ' + str(r.source_ref or r.source_id))[:28]:<28} "
                f"{r.expected:<10} {shown}"
            )
    lines.append(
        f"\n{len(manifest.bad_records) - unmet} of {len(manifest.bad_records)} planted bad "
        "records ended as the manifest expects ('--' marks the others)."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qbo_devkit.demo", description=__doc__)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tenants", type=int, default=3)
    parser.add_argument("--invoices", type=int, default=300)
    args = parser.parse_args(argv)

    from qbo_devkit.generator.dataset import generate

    try:
        child_env = devenv.prepare()
    except devenv.SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    os.environ.update({k: child_env[k] for k in ("QBO_SYNC_DATABASE_URL", "QBO_SYNC_FERNET_KEY")})
    with connect(child_env["QBO_SYNC_DATABASE_URL"]) as conn:
        conn.execute(load_sql("devkit/local/reset_sync_state"))
        manifest = generate(conn, seed=args.seed, tenants=args.tenants, invoices=args.invoices, replace=True)
        conn.commit()
        manifest_path = manifest.write(local_dir() / "demo-manifest.json")
        print(f"demo data: {json.dumps(manifest.counts)} (manifest: {manifest_path})")
        with devenv.quickbooks(child_env) as (run_env, emulator):
            if emulator is None:
                print(
                    "AIRFLOW_CONN_QUICKBOOKS_DEFAULT is set: the demo only runs against the "
                    "bundled emulator, never real books. Unset it to run the demo.",
                    file=sys.stderr,
                )
                return 2
            os.environ["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"] = run_env["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"]
            app = json.loads(run_env["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"])
            notes = setup_tenants(conn, emulator, manifest, (app["login"], app["password"]))
            for tenant_id, done in sorted(notes.items()):
                print(f"tenant {tenant_id}: QuickBooks company ready; " + ("; ".join(done) or "no extras"))
            runs, codes = [], []
            for number, conf in ((1, {"full_sync": True}), (2, {})):
                if number == 2:
                    for tenant_id, done in sorted(payments_in_quickbooks(conn, manifest).items()):
                        print(f"tenant {tenant_id}: in QuickBooks, " + ("; ".join(done) or "nothing new"))
                    for tenant_id, done in sorted(edits_in_quickbooks(conn, manifest).items()):
                        print(f"tenant {tenant_id}: in QuickBooks, a person " + ("; ".join(done) or "changed nothing"))
                log_path = local_dir() / f"demo-airflow-run{number}.log"
                print(f"run {number}: `airflow dags test qbo_sync` (full log: {log_path}) ...")
                with open(log_path, "w") as log:
                    done = subprocess.run(
                        [sys.executable, "-m", "airflow", "dags", "test", "qbo_sync", "--conf", json.dumps(conf)],
                        env=run_env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        check=False,
                    )
                codes.append(done.returncode)
                run = conn.execute(load_sql("devkit/local/latest_run"), {"dag_id": "qbo_sync"}).fetchone()
                if not run or run[0] in runs:
                    print(f"run {number} recorded no outcome; see {log_path}", file=sys.stderr)
                    return 1
                runs.append(run[0])
            print(summarize(conn, runs, manifest))
            print("\nQuickBooks and the app, record by record (qbo_sync.reconcile, as the qbo_reconcile DAG runs it):")
            print(reconciliation_block(conn, manifest, f"demo__reconcile__{datetime.now(UTC).isoformat()}"))
            print(
                f"\n`airflow dags test` exit codes {codes} "
                "(non-zero when records failed: the run is marked for attention)."
            )
            print("\n" + run_doctor(run_env))
    return 0


def run_doctor(env: dict[str, str]) -> str:
    """`python -m qbo_sync doctor` in the environment the DAG ran with, and what it said. It
    names the revoked tenant (on purpose, in the demo) and exits 1: the demo goes on."""
    done = subprocess.run(
        [sys.executable, "-m", "qbo_sync", "doctor"], env=env, capture_output=True, text=True, check=False, timeout=600
    )
    crashed = f"\n{done.stderr.rstrip()}" if done.returncode not in (0, 1) else ""
    return (
        f"`python -m qbo_sync doctor` (exit code {done.returncode}; the demo's revoked tenant is "
        f"a problem on purpose):\n{done.stdout.rstrip()}{crashed}"
    )


if __name__ == "__main__":
    sys.exit(main())

"""The doctor's checks of one tenant against its QuickBooks company."""
from __future__ import annotations

from typing import Any

import psycopg

from qbo_client import QboError, ReconnectRequired
from qbo_sync.companies.facts import check_company
from qbo_sync.companies.sync_from import when
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.doctor import Report
from qbo_sync.validate.company import percent_text, quote
from qbo_sync.validate.company_settings import CompanyProfile

# (setting, what QuickBooks calls it, where it is in QuickBooks, `tenants set` option)
_DEFAULTS = (
    (0, "Item", "default service item", "Sales > Products and services", "--default-service-item"),
    (1, "Item", "default product item", "Sales > Products and services", "--default-product-item"),
    (2, "Account", "deposit account", "Settings > Chart of accounts", "--deposit-account"),
)


def check_tenant(report: Report, conn: psycopg.Connection, row: tuple, client_factory: Any) -> None:
    tenant_id, name, realm_id, status, reason, sync_from = row[:6]
    where = f"tenant {tenant_id} ({name})"
    if status != "connected":
        report.add(where, f"the connection to QuickBooks company (realm {realm_id}) is {status}: nothing syncs",
                   reason or f"Reconnect: `python -m qbo_sync.companies authorize --tenant-id {tenant_id}`.")
        return
    before = len(report.problems)
    try:
        with client_factory(tenant_id) as qbo:
            profile, conflicts = check_company(conn, tenant_id, qbo)
            for conflict in conflicts:
                report.add(where, conflict.problem, conflict.fix)
            _check_rates(report, conn, where, tenant_id, profile, qbo)
            _check_defaults(report, conn, where, tenant_id, profile, qbo)
    except ReconnectRequired as error:
        report.add(where, f"QuickBooks refused the tenant's connection (realm {realm_id})", error.reason)
        return
    except QboError as error:
        report.add(where, f"its QuickBooks company (realm {realm_id}) does not answer: {error}",
                   "Check that the company's subscription is active and the app is still connected in "
                   "QuickBooks (Settings > Apps); then run the doctor again.")
        return
    if len(report.problems) == before:
        report.good.append(f"{where}: all good - QuickBooks company '{profile.name}' ({profile.country_name}, "
                           f"{profile.home_currency}), syncs records finalized from {when(sync_from)} on")


def _codes(qbo: Any) -> str:
    return ", ".join(sorted(str(r.get("Name")) for r in qbo.query("select * from TaxCode"))) or "none"


def _check_rates(report: Report, conn: psycopg.Connection, where: str, tenant_id: int,
                 profile: CompanyProfile, qbo: Any) -> None:
    for rate_name, rate in conn.execute(load_sql("doctor/unlinked_rates"), {"tenant_id": tenant_id}):
        report.add(where, f"app tax rate '{rate_name}' ({percent_text(rate * 100)}) is not linked to a tax code "
                   f"of QuickBooks company '{profile.name}': invoices using it fail (tax_rate_not_mapped)",
                   f"Link it: `python -m qbo_sync.tenants map-tax --tenant-id {tenant_id} --tax-rate "
                   f"'{rate_name}' --tax-code '<code>'`; the company's tax codes: {_codes(qbo)}.")


def _check_defaults(report: Report, conn: psycopg.Connection, where: str, tenant_id: int,
                    profile: CompanyProfile, qbo: Any) -> None:
    ids = conn.execute(load_sql("doctor/tenant_defaults"), {"tenant_id": tenant_id}).fetchone() or (None,) * 4
    for index, entity, label, menu, option in _DEFAULTS:
        qbo_id = ids[index]
        set_it = f"`python -m qbo_sync.tenants set --tenant-id {tenant_id} {option} NAME`"
        if qbo_id is None:
            report.add(where, f"no {label} is set", f"Choose one of QuickBooks company '{profile.name}' ({menu}): "
                       f"{set_it}.")
            continue
        rows = qbo.query(f"select * from {entity} where Id = {quote(str(qbo_id))} and Active in (true, false)")
        if not rows:
            report.add(where, f"the {label} (Id {qbo_id}) no longer exists in QuickBooks company '{profile.name}'",
                       f"Choose another ({menu} in QuickBooks): {set_it}.")
        elif not rows[0].get("Active", True):
            item = rows[0].get("Name") or rows[0].get("FullyQualifiedName") or qbo_id
            report.add(where, f"the {label} '{item}' is inactive in QuickBooks company '{profile.name}'",
                       f"Make it active again in QuickBooks ({menu}, filter Inactive, Make active), or "
                       f"choose another: {set_it}.")
    if profile.region != "US" and ids[3] is None:
        report.add(where, "no no-tax code is set: untaxed lines cannot be sent outside the US",
                   f"Choose the company's code for lines without tax: `python -m qbo_sync.tenants set "
                   f"--tenant-id {tenant_id} --no-tax-code '<code>'`; the company's tax codes: {_codes(qbo)}.")

"""The doctor's checks of one tenant against its QuickBooks company."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg

from qbo_client import QboError, ReconnectRequired, quote
from qbo_sync.companies.facts import check_company
from qbo_sync.companies.sync_from import when
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.doctor import Report
from qbo_sync.validate.company import codes_charging, percent_text, tax_code_percents
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
        report.add(
            where,
            f"the connection to QuickBooks company (realm {realm_id}) is {status}: nothing syncs",
            reason or f"Reconnect: `python -m qbo_sync.companies authorize --tenant-id {tenant_id}`.",
        )
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
        report.add(
            where,
            f"its QuickBooks company (realm {realm_id}) does not answer: {error}",
            "Check that the company's subscription is active and the app is still connected in "
            "QuickBooks (Settings > Apps); then run the doctor again.",
        )
        return
    if len(report.problems) == before:
        report.good.append(
            f"{where}: all good - QuickBooks company '{profile.name}' ({profile.country_name}, "
            f"{profile.home_currency}), syncs records finalized from {when(sync_from)} on"
        )


def _codes(qbo: Any) -> str:
    return ", ".join(sorted(str(r.get("Name")) for r in qbo.query("select * from TaxCode"))) or "none"


def _check_rates(
    report: Report, conn: psycopg.Connection, where: str, tenant_id: int, profile: CompanyProfile, qbo: Any
) -> None:
    percents = None
    for rate_name, rate in conn.execute(load_sql("doctor/unlinked_rates"), {"tenant_id": tenant_id}):
        percents = percents if percents is not None else tax_code_percents(qbo.query)
        same = codes_charging(rate, percents) if profile.region != "US" else sorted(n for n, _ in percents.values())
        problem = (
            f"app tax rate '{rate_name}' ({percent_text(rate * 100)}) is not linked to a tax code of "
            f"QuickBooks company '{profile.name}': invoices using it fail (tax_rate_not_mapped)"
        )
        if same:
            others = f" (the company's codes for this rate: {', '.join(same)})" if len(same) > 1 else ""
            fix = (
                f"Link it: `python -m qbo_sync.tenants map-tax --tenant-id {tenant_id} --tax-rate "
                f"'{rate_name}' --tax-code '{same[0]}'`{others}."
            )
        else:
            fix = (
                f"No tax code of the company charges {percent_text(rate * 100)} (its codes: {_codes(qbo)}). "
                "If invoices still use this rate, create a tax rate and code for it in QuickBooks (Taxes), "
                f"then link it with `python -m qbo_sync.tenants map-tax --tenant-id {tenant_id} --tax-rate "
                f"'{rate_name}' --tax-code NAME`; if no invoice uses it any more, make it inactive in the "
                "billing app."
            )
        report.add(where, problem, fix)


def _check_defaults(
    report: Report, conn: psycopg.Connection, where: str, tenant_id: int, profile: CompanyProfile, qbo: Any
) -> None:
    ids = conn.execute(load_sql("doctor/tenant_defaults"), {"tenant_id": tenant_id}).fetchone() or (None,) * 4
    for index, entity, label, menu, option in _DEFAULTS:
        qbo_id = ids[index]
        set_it = f"`python -m qbo_sync.tenants set --tenant-id {tenant_id} {option} NAME`"
        if qbo_id is None:
            report.add(
                where, f"no {label} is set", f"Choose one of QuickBooks company '{profile.name}' ({menu}): {set_it}."
            )
            continue
        rows = qbo.query(f"select * from {entity} where Id = {quote(str(qbo_id))} and Active in (true, false)")
        if not rows:
            report.add(
                where,
                f"the {label} (Id {qbo_id}) no longer exists in QuickBooks company '{profile.name}'",
                f"Choose another ({menu} in QuickBooks): {set_it}.",
            )
        elif not rows[0].get("Active", True):
            item = rows[0].get("Name") or rows[0].get("FullyQualifiedName") or qbo_id
            report.add(
                where,
                f"the {label} '{item}' is inactive in QuickBooks company '{profile.name}'",
                f"Make it active again in QuickBooks ({menu}, filter Inactive, Make active), or "
                f"choose another: {set_it}.",
            )
    if profile.region != "US" and ids[3] is None:
        untaxed = codes_charging(Decimal(0), tax_code_percents(qbo.query))
        fix = (
            f"Choose the company's code for lines without tax: `python -m qbo_sync.tenants set --tenant-id "
            f"{tenant_id} --no-tax-code '{untaxed[0]}'`"
            + (f" (its codes at 0%: {', '.join(untaxed)})." if len(untaxed) > 1 else ".")
            if untaxed
            else "The company has no tax code at 0%: create one in QuickBooks (Taxes), then "
            f"choose it with `python -m qbo_sync.tenants set --tenant-id {tenant_id} --no-tax-code NAME`."
        )
        report.add(where, "no no-tax code is set: untaxed lines cannot be sent outside the US", fix)

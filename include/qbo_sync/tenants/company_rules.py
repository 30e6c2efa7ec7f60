"""`tenants set` and `map-tax` refuse what contradicts the tenant's QuickBooks company.

The company decides: its country (hence the region and tax model) and home currency are
read from QuickBooks, never typed. A --region other than the company's, a US sales tax
code (TAX, NON) outside the US, or settings made for another company are refused with the
fix, and nothing is changed.
"""

from __future__ import annotations

from typing import Any

import psycopg

from qbo_sync.companies.facts import recorded_company
from qbo_sync.validate.company import QuickBooksLookups
from qbo_sync.validate.company_settings import US_PSEUDO_CODES, CompanyProfile, conflicts_text, settings_conflicts


class CompanyContradiction(ValueError):
    """A setting contradicts the tenant's QuickBooks company; nothing was changed."""


def _company(conn: psycopg.Connection, client: Any, tenant_id: int) -> CompanyProfile:
    """The company now; refuses while the settings were made for another company."""
    profile = QuickBooksLookups(client.query).company()
    conflicts = settings_conflicts(tenant_id, recorded_company(conn, tenant_id), profile)
    if conflicts:
        problems, fixes = conflicts_text(conflicts)
        raise CompanyContradiction(f"{problems}. {fixes} Nothing was changed.")
    return profile


def _codes(client: Any) -> str:
    names = sorted(str(r.get("Name")) for r in client.query("select * from TaxCode") if r.get("Active", True))
    return ", ".join(names) or "none"


def _us_code_outside_us(profile: CompanyProfile, client: Any, code: str, option: str) -> CompanyContradiction:
    return CompanyContradiction(
        f"{option} {code!r} is a US sales tax code, but QuickBooks company '{profile.name}' is in "
        f"{profile.country_name}, where every line carries one of the company's own tax codes. "
        f"Use one of them (Taxes > Sales tax settings in QuickBooks): {_codes(client)}. Nothing was changed."
    )


def check_set(
    conn: psycopg.Connection, client: Any, tenant_id: int, *, region: str | None, no_tax_code: str | None
) -> None:
    profile = _company(conn, client, tenant_id)
    if region is not None and region.strip().upper() not in {profile.region, profile.country}:
        raise CompanyContradiction(
            f"--region {region} contradicts the company: QuickBooks company '{profile.name}' is in "
            f"{profile.country_name}, so this tenant's region is {profile.region}. The region comes from "
            "the company and cannot be set: drop --region. Nothing was changed."
        )
    if no_tax_code is not None and no_tax_code.strip().upper() in US_PSEUDO_CODES and profile.region != "US":
        raise _us_code_outside_us(profile, client, no_tax_code, "--no-tax-code")


def check_map_tax(conn: psycopg.Connection, client: Any, tenant_id: int, tax_code: str) -> None:
    profile = _company(conn, client, tenant_id)
    if tax_code.strip().upper() in US_PSEUDO_CODES and profile.region != "US":
        raise _us_code_outside_us(profile, client, tax_code, "--tax-code")

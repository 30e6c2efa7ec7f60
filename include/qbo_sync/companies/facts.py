"""The company decides: read a tenant's QuickBooks company and record its facts.

``record_company_facts`` is the one place that reads CompanyInfo and Preferences and writes
the company's name, country, home currency, multicurrency and tax model into the tenant's
settings; the region the sync uses follows the country. ``connect``, ``authorize``,
``facts``, the doctor and the web page's Connect button all call it. ``check_company``
compares what the settings say with what the company says now (the same comparison the
validate step makes before sending anything).
"""

from __future__ import annotations

from typing import Any

import psycopg

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.validate.company import QuickBooksLookups
from qbo_sync.validate.company_settings import CompanyProfile, RecordedCompany, SettingsConflict, settings_conflicts


def record_company_facts(conn: psycopg.Connection, tenant_id: int, qbo: Any) -> CompanyProfile:
    """Read the tenant's company through ``qbo`` (anything with ``query(text)``: a QboClient)
    and record its facts in ``qbo_sync.tenant_settings``. Returns what was recorded."""
    profile = QuickBooksLookups(qbo.query).company()
    conn.execute(
        load_sql("companies/record_facts"),
        {
            "tenant_id": tenant_id,
            "region": profile.region,
            "company_name": profile.name,
            "company_country": profile.country,
            "home_currency": profile.home_currency,
            "multicurrency_enabled": profile.multicurrency,
            "tax_model": profile.tax_model,
        },
    )
    return profile


def recorded_company(conn: psycopg.Connection, tenant_id: int) -> RecordedCompany:
    """What the tenant's settings say about its company, with its tax links."""
    row = conn.execute(load_sql("companies/recorded_facts"), {"tenant_id": tenant_id}).fetchone()
    links = tuple(conn.execute(load_sql("companies/tax_links"), {"tenant_id": tenant_id}).fetchall())
    if row is None:
        return RecordedCompany(region=None, tax_links=links)
    region, name, country, currency, multi, model, no_tax = row
    return RecordedCompany(region, name, country, currency, multi, model, no_tax, links)


def check_company(conn: psycopg.Connection, tenant_id: int, qbo: Any) -> tuple[CompanyProfile, list[SettingsConflict]]:
    """The company as QuickBooks describes it now, and where the settings contradict it."""
    lookups = QuickBooksLookups(qbo.query)
    profile = lookups.company()
    codes = {
        str(r["Id"]): (r.get("Name", ""), bool(r.get("Active", True)))
        for r in qbo.query("select * from TaxCode where Active in (true, false)")
    }
    return profile, settings_conflicts(tenant_id, recorded_company(conn, tenant_id), profile, codes)

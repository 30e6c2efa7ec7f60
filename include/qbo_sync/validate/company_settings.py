"""The QuickBooks company itself, and whether a tenant's settings still fit it.

What a company says about itself (CompanyInfo and Preferences: country, home currency,
multicurrency, tax model) decides the tenant's region; ``settings_conflicts`` compares it
with what the tenant's settings were made for. The validate step, ``tenants set`` /
``map-tax``, connecting and the doctor all use this one comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

US_PSEUDO_CODES = ("TAX", "NON")  # US sales tax line codes; no company elsewhere has them
COUNTRY_NAMES = {
    "US": "the United States",
    "AU": "Australia",
    "GB": "the United Kingdom",
    "CA": "Canada",
    "IN": "India",
    "FR": "France",
}
TAX_MODELS = {
    # Preferences.TaxPrefs.PartnerTaxEnabled on a US company (Intuit's API reference "US sales tax").
    "us_automated_sales_tax": "US automated sales tax (lines say TAX or NON)",
    "us_sales_tax_not_set_up": "US automated sales tax, not set up yet (Taxes > Sales tax in QuickBooks)",
    "tax_codes": "the company's own tax codes (GST, VAT, ...) on every line",
}


def region_of_country(country: str | None) -> str | None:
    """The sync's region for a CompanyInfo.Country: 'US' uses TAX/NON; the UK is 'GB' there."""
    return {"GB": "UK"}.get(country, country) if country else None


def country_name(country_or_region: str | None) -> str:
    code = {"UK": "GB"}.get(country_or_region or "", country_or_region or "")
    return COUNTRY_NAMES.get(code, code or "an unknown country")


@dataclass(frozen=True)
class CompanyProfile:
    """What a QuickBooks company says about itself: CompanyInfo and Preferences."""

    name: str
    country: str | None
    home_currency: str | None
    multicurrency: bool
    tax_model: str

    @property
    def region(self) -> str | None:
        return region_of_country(self.country)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def describe(self) -> str:
        return (
            f"QuickBooks company '{self.name}': {self.country_name} ({self.country or '?'}), home currency "
            f"{self.home_currency or '?'}, multicurrency {'on' if self.multicurrency else 'off'}, "
            f"tax: {TAX_MODELS[self.tax_model]}"
        )


def company_profile(info: dict[str, Any], prefs: dict[str, Any]) -> CompanyProfile:
    country = info.get("Country") or (info.get("CompanyAddr") or {}).get("Country") or None
    currency = prefs.get("CurrencyPrefs") or {}
    if country == "US":
        automated = (prefs.get("TaxPrefs") or {}).get("PartnerTaxEnabled")
        model = "us_automated_sales_tax" if automated else "us_sales_tax_not_set_up"
    else:
        model = "tax_codes"
    return CompanyProfile(
        name=str(info.get("CompanyName") or info.get("LegalName") or "?"),
        country=country,
        home_currency=(currency.get("HomeCurrency") or {}).get("value"),
        multicurrency=bool(currency.get("MultiCurrencyEnabled")),
        tax_model=model,
    )


@dataclass(frozen=True)
class RecordedCompany:
    """What the tenant's settings say about its company (recorded when it was connected)."""

    region: str | None
    company_name: str | None = None
    country: str | None = None
    home_currency: str | None = None
    multicurrency: bool | None = None
    tax_model: str | None = None
    no_tax_code_id: str | None = None
    tax_links: tuple[tuple[str, str | None], ...] = ()  # (app tax rate, QuickBooks TaxCode Id)


@dataclass(frozen=True)
class SettingsConflict:
    problem: str
    fix: str


def settings_conflicts(
    tenant_id: int,
    recorded: RecordedCompany,
    company: CompanyProfile,
    tax_codes: dict[str, tuple[str, bool]] | None = None,
) -> list[SettingsConflict]:
    """Where the tenant's settings contradict its QuickBooks company, each with its fix.

    ``tax_codes``: the company's TaxCode Id -> (Name, Active), to check the tax links."""
    facts_cmd = f"`python -m qbo_sync.companies facts --tenant-id {tenant_id}`"
    reconnect = (
        f"if '{company.name}' is the right company, record its facts again with {facts_cmd}, then "
        f"check the no-tax code and tax links with `python -m qbo_sync.tenants show --tenant-id "
        f"{tenant_id}`; if it is not, connect the tenant to the right company with "
        f"`python -m qbo_sync.companies authorize --tenant-id {tenant_id}`."
    )
    found: list[SettingsConflict] = []
    if recorded.region is None:
        found.append(
            SettingsConflict(
                f"this tenant's settings do not say which country its company is in (its QuickBooks "
                f"company '{company.name}' was never read by connect or authorize)",
                f"Read the company and record its country, currency and tax model with {facts_cmd} "
                "(it changes nothing in QuickBooks).",
            )
        )
    elif recorded.region != company.region:
        found.append(
            SettingsConflict(
                f"this tenant's settings are for a company in {country_name(recorded.region)}, but its "
                f"QuickBooks company '{company.name}' is in {company.country_name}",
                reconnect[0].upper() + reconnect[1:],
            )
        )
    if recorded.home_currency and company.home_currency and recorded.home_currency != company.home_currency:
        found.append(
            SettingsConflict(
                f"this tenant's settings were made for a company whose home currency is "
                f"{recorded.home_currency}, but QuickBooks company '{company.name}' keeps its books in "
                f"{company.home_currency} (a home currency never changes in QuickBooks: the tenant now "
                "points at another company)",
                reconnect[0].upper() + reconnect[1:],
            )
        )
    if company.region == "US" or tax_codes is None:
        return found
    known = sorted(name for name, active in tax_codes.values() if active)
    choose = (
        f"QuickBooks company '{company.name}' has these active tax codes (Taxes > Sales tax "
        f"settings in QuickBooks): {', '.join(known) or 'none (create one there first)'}."
    )

    def likely_code(rate: str, default: str) -> str:
        """The company's active code named like the app rate, else ``default`` (a real name to
        edit, never a placeholder)."""
        same = [name for name in known if name.casefold() == rate.casefold()]
        return (same or [default])[0]

    for rate, code_id in recorded.tax_links:
        if code_id is None:
            continue
        if code_id in US_PSEUDO_CODES or code_id not in tax_codes:
            what = (
                f"the US sales tax code {code_id}"
                if code_id in US_PSEUDO_CODES
                else f"a tax code (Id {code_id}) that QuickBooks company '{company.name}' does not have"
            )
            found.append(
                SettingsConflict(
                    f"app tax rate '{rate}' is linked to {what}; companies in {company.country_name} "
                    "charge tax with their own tax codes",
                    f"Link it to one of the company's tax codes: `python -m qbo_sync.tenants map-tax "
                    f"--tenant-id {tenant_id} --tax-rate '{rate}' --tax-code "
                    f"'{likely_code(rate, known[0] if known else rate)}'`. {choose}",
                )
            )
    if recorded.no_tax_code_id and (
        recorded.no_tax_code_id in US_PSEUDO_CODES or recorded.no_tax_code_id not in tax_codes
    ):
        found.append(
            SettingsConflict(
                f"the no-tax code (Id {recorded.no_tax_code_id}) is not a tax code of QuickBooks company "
                f"'{company.name}'",
                f"Choose the company's code for lines without tax: `python -m qbo_sync.tenants set "
                f"--tenant-id {tenant_id} --no-tax-code "
                f"'{likely_code('GST free', known[-1] if known else 'No tax')}'`. {choose}",
            )
        )
    return found


def conflicts_text(conflicts: list[SettingsConflict]) -> tuple[str, str]:
    """(problems, fixes) of ``conflicts`` as one cause and one fix: two problems that share
    a fix (another country and another home currency: another company) say it once."""
    problems = "; ".join(c.problem for c in conflicts)
    return problems, " ".join(dict.fromkeys(c.fix for c in conflicts))

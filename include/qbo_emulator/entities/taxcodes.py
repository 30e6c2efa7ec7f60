"""TaxCode: read-only but for Active, and the sales rates a code stands for (the tax itself
is computed in ``qbo_emulator.tax``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import faults
from ..store import Company
from ..tax import Rate
from .common import Effect, WriteContext, ref_value


def build_tax_code(
    ctx: WriteContext, entity: str, data: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Effect]]:
    # Tax codes are made in QuickBooks' tax centre; through this API only Active may change
    # (the emulator's way to get an inactive code, which the seeds' tax errors need).
    if old is None:
        raise faults.unsupported_operation("Operation Create is not supported for TaxCode; use TaxService.")
    record = dict(old)
    if "Active" in data:
        record["Active"] = data["Active"] is not False and data["Active"] != "false"
    return record, []


def rates_of(company: Company, code: dict[str, Any]) -> list[Rate]:
    rates = []
    for detail in (code.get("SalesTaxRateList") or {}).get("TaxRateDetail", []):
        rate = company.get("TaxRate", ref_value(detail.get("TaxRateRef")))
        if rate is not None:
            rates.append(Rate(rate["Id"], rate["Name"], Decimal(str(rate["RateValue"]))))
    return rates

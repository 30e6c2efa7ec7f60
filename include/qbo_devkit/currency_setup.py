"""Multicurrency in a demo company (the generator's ``quickbooks_setup.multicurrency``, made by
``generator/currency_cases.py``), turned on the way a person does it: in QuickBooks' settings
(Settings > Account and settings > Advanced > Currency), for which the emulator's control API
stands. QuickBooks never lets it be turned off again."""

from __future__ import annotations

from typing import Any


def apply_multicurrency(emu: Any, company: dict[str, Any], multicurrency: bool) -> list[str]:
    if not multicurrency:
        return []
    emu.set_preferences(company["realm_id"], multicurrency=True)
    return ["multicurrency turned on in QuickBooks' settings"]

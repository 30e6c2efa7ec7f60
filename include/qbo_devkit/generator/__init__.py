"""Deterministic demo data for the billing schema, with bad cases on purpose.

``generate(conn, seed=42)`` writes tenants, clients, catalog, tax rates, invoices, credit
notes and payments, and returns a ``Manifest`` naming every bad record and what the sync
should do with it. ``python -m qbo_devkit.generator generate --help`` is the command line.
"""

from __future__ import annotations

from qbo_devkit.generator.cases import CASES, UnknownBadCase
from qbo_devkit.generator.cases import NAMES as BAD_CASES
from qbo_devkit.generator.dataset import BillingNotEmpty, Progress, display_name, generate
from qbo_devkit.generator.manifest import EXPECTED, BadRecord, Manifest, QuickBooksSetup, TenantManifest

__all__ = [
    "BAD_CASES",
    "CASES",
    "EXPECTED",
    "BadRecord",
    "BillingNotEmpty",
    "Manifest",
    "Progress",
    "QuickBooksSetup",
    "TenantManifest",
    "UnknownBadCase",
    "display_name",
    "generate",
]

"""What one mapped load task is given: a planned batch of one tenant's records.

A plain frozen dataclass of standard types (the DAG file names it at parse time), carrying the
tenant's realm so that a load task needs no look-up before it starts. ``batch_nos`` has one
number for customers and invoices; sub-customers of a tenant load depth by depth in one task.
"""
from __future__ import annotations

from dataclasses import dataclass

CUSTOMERS, SUB_CUSTOMERS, INVOICES = "customers", "sub_customers", "invoices"
GROUPS = (CUSTOMERS, SUB_CUSTOMERS, INVOICES)  # the order they load in


@dataclass(frozen=True)
class LoadBatch:
    tenant_id: int
    realm_id: str
    entity: str  # 'customer' | 'invoice'
    batch_nos: tuple[int, ...]
    records: int
    label: str  # how the mapped task is named in the Airflow UI

"""Merging two customers, as a person does it in QuickBooks' screens (not through the API).

Intuit's Accounting API has no merge operation: a user merges in the UI by giving a customer
another customer's name. What the rest of QuickBooks then shows (Intuit's webhooks
reference, "Understanding the data object": a ``Merge`` event on the surviving customer, with
the removed one's Id as ``deletedid``; integrators' help pages: "the losing record is deleted
by QuickBooks" and "all the transactions ... move into the new one"):

* the removed customer is gone: reads answer Object Not Found, and change data capture lists
  it as ``{"Id", "status": "Deleted"}`` like any deleted object;
* every transaction that named it (invoices, credit memos, payments) names the survivor,
  each with a new SyncToken and LastUpdatedTime (an update in change data capture);
* its sub-customers become the survivor's;
* the survivor takes over its balance (a new SyncToken too).

Which fields of the survivor change besides its balance, and whether the survivor's
SyncToken moves, Intuit does not say (unconfirmed: README).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..store import TXN_ENTITIES, Company
from ..util import ZERO
from .common import ref_value, touch


class MergeRefused(ValueError):
    pass


def merge_customers(company: Company, from_id: str, into_id: str) -> dict[str, Any]:
    """Merge customer ``from_id`` into ``into_id``; answers what moved."""
    customers = company.records["Customer"]
    removed, survivor = customers.get(str(from_id)), customers.get(str(into_id))
    if removed is None or survivor is None:
        raise MergeRefused("both customers must exist (merging needs two existing customers)")
    if removed is survivor:
        raise MergeRefused("a customer cannot be merged into itself")
    if ref_value(survivor.get("ParentRef")) == removed["Id"]:
        raise MergeRefused("a customer cannot be merged into one of its own sub-customers")
    moved: dict[str, list[str]] = {name: [] for name in TXN_ENTITIES}
    for name in TXN_ENTITIES:
        for record in company.records[name].values():
            if ref_value(record.get("CustomerRef")) == removed["Id"]:
                record["CustomerRef"] = {"value": survivor["Id"], "name": survivor["DisplayName"]}
                touch(company, record)
                moved[name].append(record["Id"])
    children = []
    for record in customers.values():
        if ref_value(record.get("ParentRef")) == removed["Id"]:
            record["ParentRef"] = {"value": survivor["Id"]}
            record["FullyQualifiedName"] = f"{survivor['FullyQualifiedName']}:{record['DisplayName']}"
            touch(company, record)
            children.append(record["Id"])
    balance = Decimal(str(survivor.get("Balance", ZERO))) + Decimal(str(removed.get("Balance", ZERO)))
    survivor["Balance"] = balance
    survivor["BalanceWithJobs"] = balance
    touch(company, survivor)
    del customers[removed["Id"]]
    company.display_names.pop(removed["DisplayName"].lower(), None)
    now_ts = company.clock.time()
    company.tombstones["Customer"][removed["Id"]] = {
        "Id": removed["Id"],
        "_updated": now_ts,
        "_seq": company.next_seq(),
        "MetaData": {"CreateTime": removed["MetaData"]["CreateTime"], "LastUpdatedTime": company.fmt(now_ts)},
    }
    return {
        "merged": removed["Id"],
        "into": survivor["Id"],
        "deletedid": removed["Id"],
        "moved": moved,
        "sub_customers": children,
    }

"""Terms (QuickBooks: Settings > All lists > Terms) and the due date they give a sale.

QuickBooks fills a missing DueDate from the transaction's SalesTermRef, else from the
company's default terms (Settings > Account and settings > Sales > Sales form content >
Preferred invoice terms, in the API Preferences.SalesFormsPrefs.DefaultTerms): TxnDate plus
the term's DueDays (developers' reports; Intuit's Term entity:
Name, Active, Type STANDARD with DueDays, or DATE_DRIVEN). New companies carry the four
standard terms below (what a new QuickBooks Online company lists; their Ids are our own
numbering, unconfirmed: README). Terms are read-only here (read and query); DATE_DRIVEN
terms are not modelled.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from . import faults

STANDARD_TERMS = (("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30), ("Net 60", 60))


def default_term(company: Any) -> dict[str, Any] | None:
    """The company's preferred invoice terms (preference ``default_terms``, a term's name)."""
    name = company.preferences.get("default_terms")
    if not name:
        return None
    return next((t for t in company.records["Term"].values() if t["Name"].lower() == str(name).lower()), None)


def apply_terms(company: Any, record: dict[str, Any], txn_date: date, due: date | None) -> date:
    """Check SalesTermRef (or take the default terms) and return the DueDate: ``due`` if the
    client sent one, else TxnDate plus the term's days, else TxnDate."""
    ref = record.get("SalesTermRef")
    term_id = ref.get("value") if isinstance(ref, dict) else ref
    if term_id not in (None, ""):
        term = company.records["Term"].get(str(term_id))
        if term is None or not term.get("Active", True):
            raise faults.invalid_reference("SalesTermRef")
    else:
        term = default_term(company)
    if term is not None:
        record["SalesTermRef"] = {"value": term["Id"], "name": term["Name"]}
    if due is not None:
        return due
    return txn_date + timedelta(days=int(term.get("DueDays") or 0)) if term is not None else txn_date

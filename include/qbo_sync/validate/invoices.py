"""Validate a tenant's staged invoices, a chunk at a time, and record every failure.

Invoices finalized before the tenant connected QuickBooks are historical: logged
``skipped`` with the seeds' explanation, never sent. Every other check is an
expectation of the suite; a failing invoice gets one ``failed`` outcome (its first
problem, the others noted) and is not sent, while the rest go on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime

import psycopg

from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.read import staged_invoices
from qbo_sync.extract.records import StagedInvoice, TaxRate, TenantSettings
from qbo_sync.items.match import PROBLEMS as ITEM_PROBLEMS
from qbo_sync.items.match import Resolution, item_context
from qbo_sync.items.resolve import resolve_items
from qbo_sync.items.settings import item_settings
from qbo_sync.load.currency import app_rates, save_plans
from qbo_sync.money import ZERO
from qbo_sync.transform.invoice import DOC_NUMBER_MAX, US_NON_TAXABLE, US_TAXABLE
from qbo_sync.validate.arithmetic import expected_line_amount, recompute
from qbo_sync.validate.company import CompanyFacts, QuickBooksLookups, percent_text, rates_differ
from qbo_sync.validate.currency import RateOf, currency_checks
from qbo_sync.validate.gx_runner import Check, SuiteRunner, runner_for
from qbo_sync.validate.tracking import CHECKS as TRACKING_CHECKS
from qbo_sync.validate.tracking import TrackingCheck

TAX_MODES = ["exclusive", "inclusive", "none"]
DISCOUNT_KINDS = (None, "fixed", "percent")
LINE_VALUES = (("quantity", "quantity"), ("unit_price", "unit price"), ("amount", "amount"))

STATUSES = ["finalized"]  # staging leaves out 'draft' and 'voided'; anything else is an error

CHECKS = [
    Check("invoice_status_unknown", "ExpectColumnValuesToBeInSet", {"column": "status", "value_set": STATUSES}),
    Check("client_not_set", "ExpectColumnValuesToBeInSet", {"column": "client_set", "value_set": [True]}),
    Check("client_missing", "ExpectColumnValuesToBeInSet", {"column": "client_exists", "value_set": [True]}),
    Check("no_line_items", "ExpectColumnValuesToBeBetween", {"column": "line_count", "min_value": 1}),
    Check("number_missing", "ExpectColumnValuesToNotBeNull", {"column": "number"}),
    Check("number_too_long", "ExpectColumnValueLengthsToBeBetween", {"column": "number", "max_value": DOC_NUMBER_MAX}),
    Check("number_duplicate_in_run", "ExpectColumnValuesToBeBetween", {"column": "same_number_count", "max_value": 0}),
    Check(
        "number_used_in_quickbooks",
        "ExpectColumnValuesToBeInSet",
        {"column": "number_taken_in_qbo", "value_set": [False]},
    ),
    Check("unknown_tax_mode", "ExpectColumnValuesToBeInSet", {"column": "tax_mode", "value_set": TAX_MODES}),
    Check("tax_rate_not_mapped", "ExpectColumnValuesToBeBetween", {"column": "unmapped_tax_lines", "max_value": 0}),
    Check("tax_code_inactive", "ExpectColumnValuesToBeBetween", {"column": "inactive_tax_lines", "max_value": 0}),
    Check("tax_rate_mismatch", "ExpectColumnValuesToBeBetween", {"column": "mismatched_tax_rates", "max_value": 0}),
    Check("us_several_sales_taxes", "ExpectColumnValuesToBeBetween", {"column": "us_sales_tax_codes", "max_value": 1}),
    Check(
        "us_tax_without_sales_tax_code",
        "ExpectColumnValuesToBeInSet",
        {"column": "us_taxed_without_code", "value_set": [False]},
    ),
    Check("default_item_missing", "ExpectColumnValuesToBeInSet", {"column": "default_item_set", "value_set": [True]}),
    Check(
        "default_item_inactive", "ExpectColumnValuesToBeInSet", {"column": "default_item_active", "value_set": [True]}
    ),
    # Item policy 'match' / 'create' (qbo_sync.items): each line's catalog item needs a QuickBooks item.
    *[Check(code, "ExpectColumnValuesToBeInSet", {"column": code, "value_set": [False]}) for code in ITEM_PROBLEMS],
    Check("line_values_missing", "ExpectColumnValuesToBeBetween", {"column": "incomplete_lines", "max_value": 0}),
    Check("unknown_discount_kind", "ExpectColumnValuesToBeBetween", {"column": "odd_discount_lines", "max_value": 0}),
    Check("line_amount_mismatch", "ExpectColumnValuesToBeBetween", {"column": "bad_lines", "max_value": 0}),
    Check("amounts_do_not_add_up", "ExpectColumnValuesToBeInSet", {"column": "totals_add_up", "value_set": [True]}),
    Check("negative_total", "ExpectColumnValuesToBeInSet", {"column": "total_not_negative", "value_set": [True]}),
    Check("closed_period", "ExpectColumnValuesToBeInSet", {"column": "in_closed_period", "value_set": [False]}),
    *TRACKING_CHECKS,  # classes and locations: validate/tracking.py
    # Another currency than the company's home currency (validate/currency.py).
    Check(
        "currency_needs_multicurrency",
        "ExpectColumnValuesToBeInSet",
        {"column": "foreign_without_multicurrency", "value_set": [False]},
    ),
    Check(
        "exchange_rate_missing",
        "ExpectColumnValuesToBeInSet",
        {"column": "exchange_rate_missing", "value_set": [False]},
    ),
    # The client's customer was made inactive or merged away in QuickBooks (what change data
    # capture learned: no extra read): QuickBooks would refuse the sale, so it is not sent.
    Check(
        "invoice_customer_inactive",
        "ExpectColumnValuesToBeInSet",
        {"column": "customer_inactive_in_qbo", "value_set": [False]},
    ),
    Check(
        "invoice_customer_merged",
        "ExpectColumnValuesToBeInSet",
        {"column": "customer_merged_in_qbo", "value_set": [False]},
    ),
    Check("client_not_synced", "ExpectColumnValuesToBeInSet", {"column": "client_ready", "value_set": [True]}),
]
PRIORITY = [c.code for c in CHECKS]


def rate_mismatches(rates_used: list[TaxRate], facts: CompanyFacts, region: str) -> list[tuple[TaxRate, str]]:
    """The app rates whose QuickBooks tax code charges another percentage, each with the
    sentence that says so. US codes are skipped: there the rate comes from the customer's
    location (automated sales tax), not from the code the line names."""
    if region == "US":
        return []
    found = []
    for rate in sorted(rates_used, key=lambda r: r.name):
        code = rate.qbo_tax_code_id
        if not code or rate.rate is None or not facts.tax_code_active(code):
            continue  # unmapped and inactive codes have their own checks
        books = facts.tax_code_percent.get(code)
        if books is None or not rates_differ(rate.rate, books):
            continue
        found.append(
            (
                rate,
                f"App tax rate {rate.name} {percent_text(rate.rate * 100)} is mapped to "
                f"QuickBooks tax code '{facts.tax_code_name(code)}' ({percent_text(books)})",
            )
        )
    return found


def _transaction_label(row: dict) -> str:
    """A QuickBooks transaction as its screens show it: customer and date, Id after."""
    customer = (row.get("CustomerRef") or {}).get("name")
    who = f"for the customer '{customer}'" if customer else "for another customer"
    return f"{who}, dated {row.get('TxnDate') or 'without a date'}; Id {row.get('Id')}"


def _facts_row(
    staged: StagedInvoice,
    *,
    rates: dict[int, TaxRate],
    settings: TenantSettings,
    facts: CompanyFacts,
    client_state: dict[int, tuple],
    duplicates: dict[int, list[int]],
    taken: dict[str, list[dict]],
    own_qbo_id: str | None,
    items: dict[int, Resolution] | None = None,
) -> tuple[dict, dict]:
    inv = staged.invoice
    lines = inv.lines
    unmapped = sorted(
        {
            rates[ln.tax_rate_id].name if ln.tax_rate_id in rates else f"id {ln.tax_rate_id}"
            for ln in lines
            if ln.tax_rate_id is not None and (ln.tax_rate_id not in rates or not rates[ln.tax_rate_id].qbo_tax_code_id)
        }
    )
    inactive = sorted(
        {
            (rates[ln.tax_rate_id].name, rates[ln.tax_rate_id].qbo_tax_code_id)
            for ln in lines
            if ln.tax_rate_id in rates
            and rates[ln.tax_rate_id].qbo_tax_code_id
            and not facts.tax_code_active(rates[ln.tax_rate_id].qbo_tax_code_id)
        }
    )
    # Outside the US every line needs a tax code: untaxed lines take the tenant's no-tax code.
    untaxed = settings.region != "US" and (inv.tax_mode == "none" or any(ln.tax_rate_id is None for ln in lines))
    no_tax_problem = None
    if untaxed and lines:
        if not settings.no_tax_code_id:
            no_tax_problem = "missing"
        elif not facts.tax_code_active(settings.no_tax_code_id):
            no_tax_problem = "inactive"
    us_codes = {rates[ln.tax_rate_id].qbo_tax_code_id for ln in lines if ln.tax_rate_id in rates} - {
        US_NON_TAXABLE,
        None,
    }
    # Lines of a 'none' invoice go out with the no-tax code, whatever rate they name.
    mismatched = (
        []
        if inv.tax_mode == "none"
        else rate_mismatches(
            list({ln.tax_rate_id: rates[ln.tax_rate_id] for ln in lines if ln.tax_rate_id in rates}.values()),
            facts,
            settings.region,
        )
    )
    items = items or {}
    # Lines whose catalog item the item policy maps do not need the default items.
    item_problem = next(
        (
            (ln, items[ln.item_id])
            for ln in sorted(lines, key=lambda ln: (ln.position, ln.id))
            if items.get(ln.item_id) and items[ln.item_id].problem
        ),
        None,
    )
    kinds = {("product" if ln.item_kind == "product" else "service") for ln in lines if ln.item_id not in items}
    item_of = {"service": settings.default_service_item_id, "product": settings.default_product_item_id}
    missing_kind = next((k for k in sorted(kinds) if not item_of[k]), None)
    inactive_kind = next((k for k in sorted(kinds) if item_of[k] and not facts.item_active(item_of[k])), None)
    # A line missing a number, or with a discount we cannot read, is explained as such; the
    # amount check covers the lines that can be recomputed.
    incomplete = next((ln for ln in lines if any(getattr(ln, f) is None for f, _ in LINE_VALUES)), None)
    odd_discount = next((ln for ln in lines if ln.discount_kind not in DISCOUNT_KINDS), None)
    bad_line = next(
        (
            ln
            for ln in lines
            if ln is not incomplete and ln is not odd_discount and expected_line_amount(ln) != ln.amount
        ),
        None,
    )
    totals = recompute(inv, {rid: r.rate for rid, r in rates.items()})
    totals_ok = (
        totals is not None
        and inv.total is not None
        and (
            totals.total == inv.total
            and totals.tax_total == (inv.tax_total or ZERO)
            and totals.subtotal == (inv.subtotal if inv.subtotal is not None else totals.subtotal)
        )
    )
    exists, client_qbo_id, run_state, run_cause, qbo_change, qbo_name, merged_into, changed_at = client_state.get(
        inv.client_id, (False, None, None, None, None, None, None, None)
    )
    # A customer the sync sends in this run (resynced, or app_wins) is made active or created again first.
    customer_inactive = qbo_change == "inactive" and run_state != "ready"
    customer_merged = qbo_change == "merged" and run_state != "ready"
    number_holders = [
        t
        for t in taken.get((inv.number or "").lower(), [])
        if str(t.get("Id")) != own_qbo_id and f"[qbo-sync invoice {inv.id}]" not in (t.get("PrivateNote") or "")
    ]
    closed = facts.book_close_date
    row = {
        "invoice_id": inv.id,
        "status": inv.status if inv.status is not None else "",
        "client_set": inv.client_id is not None,
        "client_exists": bool(exists) or inv.client_id is None,
        "line_count": len(lines),
        "number": inv.number if (inv.number or "").strip() else None,
        "same_number_count": len(duplicates.get(inv.id, [])),
        "number_taken_in_qbo": bool(number_holders),
        "tax_mode": inv.tax_mode or "",
        "unmapped_tax_lines": len(unmapped) + (1 if no_tax_problem == "missing" else 0),
        "inactive_tax_lines": len(inactive) + (1 if no_tax_problem == "inactive" else 0),
        "mismatched_tax_rates": len(mismatched),
        "us_sales_tax_codes": len(us_codes) if settings.region == "US" else 0,
        # TAX only marks lines taxable: without automated sales tax QuickBooks needs the invoice's
        # own sales tax code (a rate or group such as 'California'), which TAX is not.
        "us_taxed_without_code": settings.region == "US" and not facts.automated_sales_tax and us_codes == {US_TAXABLE},
        "default_item_set": missing_kind is None,
        "default_item_active": inactive_kind is None,
        **{code: bool(item_problem and item_problem[1].problem == code) for code in ITEM_PROBLEMS},
        "incomplete_lines": 0 if incomplete is None else 1,
        "odd_discount_lines": 0 if odd_discount is None else 1,
        "bad_lines": 0 if bad_line is None else 1,
        "totals_add_up": bool(totals_ok),
        "total_not_negative": inv.total is None or inv.total >= ZERO,
        "in_closed_period": bool(closed and inv.issue_date and inv.issue_date <= closed),
        # A client that failed validation in this run (or was never synced) holds its invoices.
        # A missing client is explained by its own check, not again as "not synced".
        "client_ready": bool(client_qbo_id) or run_state == "ready" or not exists or customer_merged,
        "customer_inactive_in_qbo": customer_inactive,
        "customer_merged_in_qbo": customer_merged,
    }
    context = {
        "number": inv.number,
        "client_id": inv.client_id,
        "status": "(not set)" if inv.status is None else repr(inv.status),
        "tax_mode": inv.tax_mode if inv.tax_mode is not None else "(not set)",
        "tax_rate": ", ".join(unmapped) or ", ".join(n for n, _ in inactive) or "(none)",
        "tax_code": ", ".join(
            facts.tax_code_label(c)
            for c in [c for _, c in inactive] + ([settings.no_tax_code_id] if no_tax_problem == "inactive" else [])
        ),
        "kind": missing_kind or inactive_kind or "service",
        "mismatch": "; ".join(text for _, text in mismatched),
        "mismatched_rate": mismatched[0][0].name if mismatched else None,
        "item": facts.item_label(item_of[inactive_kind]) if inactive_kind else None,
        "length": len(inv.number or ""),
        "ids": ", ".join(str(i) for i in sorted([inv.id, *duplicates.get(inv.id, [])])),
        "holder": "; ".join(_transaction_label(t) for t in number_holders),
        "holder_id": str(number_holders[0].get("Id")) if number_holders else None,
        "total": inv.total,
        "tax_total": inv.tax_total,
        "expected_total": totals.total if totals else "unknown",
        "expected_tax": totals.tax_total if totals else "unknown",
        "position": bad_line.position if bad_line else None,
        "incomplete_position": incomplete.position if incomplete else None,
        "discount_position": odd_discount.position if odd_discount else None,
        "missing": ", ".join(label for f, label in LINE_VALUES if getattr(incomplete, f, 0) is None),
        "discount_kind": odd_discount.discount_kind if odd_discount else None,
        "line_amount": bad_line.amount if bad_line else None,
        "quantity": bad_line.quantity if bad_line else None,
        "unit_price": bad_line.unit_price if bad_line else None,
        "expected": expected_line_amount(bad_line) if bad_line else None,
        "issue_date": inv.issue_date,
        "closed_on": closed,
        "client_reason": run_cause or "it has not been synced yet",
        "display_name": qbo_name,
        "survivor": merged_into or "another QuickBooks customer",
        "changed_at": changed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if changed_at else "a recent date",
    }
    if item_problem:
        context.update(item_context(item_problem[0].position, item_problem[1]))
    if no_tax_problem and not unmapped and not inactive:
        context["tax_rate"] = "(lines without tax: the tenant's no-tax code)"
    return row, context


def validate_invoices(
    conn: psycopg.Connection,
    ctx: outcomes.RunContext,
    *,
    tenant_id: int,
    realm_id: str,
    connected_at: datetime,
    settings: TenantSettings,
    facts: CompanyFacts,
    lookups: QuickBooksLookups,
    chunk: int = 5000,
    runner: SuiteRunner | None = None,
    exchange_rates: RateOf | None = None,
) -> dict[str, int]:
    """``exchange_rates(currency, day)``: QuickBooks' rate, for invoices in another currency
    than the home currency that carry no rate of the app's (load/currency.py)."""
    import pandas as pd

    from qbo_sync.extract.read import tax_rates

    rates = tax_rates(conn, tenant_id)
    company_name = facts.company.name if facts.company else "?"
    tracking = TrackingCheck(conn, tenant_id, lookups.query, facts.preferences, company_name)
    policy = item_settings(conn, tenant_id)
    runner = runner or runner_for("invoices", CHECKS, "invoice_id")
    counts = {"evaluated": 0, "failed": 0, "skipped": 0, "ready": 0}
    per_code: dict[str, int] = defaultdict(int)
    summaries = []
    for batch in staged_invoices(conn, ctx.run_id, tenant_id, chunk):
        # One pass, no ``s not in historical``: that compared every invoice with each historical
        # one field by field (dataclass equality), lines included.
        historical, current = [], []
        for s in batch:
            (historical if s.finalized_at and s.finalized_at < connected_at else current).append(s)
        with conn.transaction():
            for s in historical:
                inv = s.invoice
                outcomes.record(
                    conn,
                    ctx,
                    outcomes.from_catalog(
                        "historical_invoice",
                        tenant_id=tenant_id,
                        entity="invoice",
                        source_id=inv.id,
                        source_ref=inv.number,
                        realm_id=realm_id,
                        amount=inv.total,
                        number=inv.number,
                        finalized_at=s.finalized_at.date(),
                        connected_at=connected_at.date(),
                    ),
                )
                counts["skipped"] += 1
            outcomes.set_states(conn, ctx.run_id, tenant_id, "invoice", [s.invoice.id for s in historical], "skipped")
        if not current:
            continue
        ids = [s.invoice.id for s in current]
        tracking.chunk(ids)
        duplicates = dict(conn.execute(load_sql("validate/duplicate_numbers"), {"invoice_ids": ids}).fetchall())
        client_ids = sorted({s.invoice.client_id for s in current if s.invoice.client_id})
        client_state = {
            r[0]: (True, *r[1:])
            for r in conn.execute(
                load_sql("validate/client_states"),
                {"run_id": ctx.run_id, "tenant_id": tenant_id, "client_ids": client_ids},
            )
        }
        own = dict(
            conn.execute(
                load_sql("validate/entity_map_ids"), {"tenant_id": tenant_id, "entity": "invoice", "source_ids": ids}
            ).fetchall()
        )
        taken = lookups.doc_numbers("Invoice", [s.invoice.number for s in current if s.invoice.number])
        currency_rows, currency_contexts, currency_plans = currency_checks(
            [s.invoice for s in current], facts.company, app_rates(conn, ids), exchange_rates
        )
        items = resolve_items(
            conn,
            tenant_id=tenant_id,
            realm_id=realm_id,
            settings=policy,
            item_rows=facts.item_rows,
            query=lookups.query,
            catalog_ids=[ln.item_id for s in current for ln in s.invoice.lines if ln.item_id is not None],
        )
        rows, contexts = [], {}
        for s in current:
            row, context = _facts_row(
                s,
                rates=rates,
                settings=settings,
                facts=facts,
                client_state=client_state,
                duplicates=duplicates,
                taken=taken,
                own_qbo_id=own.get(s.invoice.id),
                items=items,
            )
            tracking.add(s.invoice.id, row, context)
            row.update(currency_rows[s.invoice.id])
            context.update(currency_contexts.get(s.invoice.id, {}))
            rows.append(row)
            contexts[s.invoice.id] = context
        result = runner.validate(pd.DataFrame(rows))
        summaries.append(result.summary)
        codes_of: dict[int, list[str]] = defaultdict(list)
        for code in PRIORITY:
            for iid in result.failing.get(code, []):
                codes_of[iid].append(code)
        # One state update per state and chunk, not per invoice (issue 9).
        state_of: dict[str, list[int]] = {"invalid": [], "ready": []}
        with conn.transaction():
            for s in current:
                inv = s.invoice
                codes = codes_of.get(inv.id)
                counts["evaluated"] += 1
                if codes:
                    per_code[codes[0]] += 1
                    context = contexts[inv.id]
                    also = [outcomes.explain(c, tenant_id=tenant_id, **context)[1] for c in codes[1:]]
                    outcomes.record(
                        conn,
                        ctx,
                        outcomes.from_catalog(
                            codes[0],
                            tenant_id=tenant_id,
                            entity="invoice",
                            source_id=inv.id,
                            source_ref=inv.number,
                            realm_id=realm_id,
                            amount=inv.total,
                            also=also,
                            **context,
                        ),
                    )
                    state_of["invalid"].append(inv.id)
                    counts["failed"] += 1
                else:
                    state_of["ready"].append(inv.id)
                    counts["ready"] += 1
            for state, ids in state_of.items():
                outcomes.set_states(conn, ctx.run_id, tenant_id, "invoice", ids, state)
            ready = set(state_of["ready"])
            save_plans(conn, ctx.run_id, tenant_id, {i: p for i, p in currency_plans.items() if i in ready})
    report = {"chunks": summaries, "failed_by_code": dict(per_code), "counts": counts}
    conn.execute(
        load_sql("validate/save_report"),
        {
            "run_id": ctx.run_id,
            "tenant_id": tenant_id,
            "entity": "invoice",
            "success": counts["failed"] == 0,
            "evaluated": counts["evaluated"] + counts["skipped"],
            "failed": counts["failed"],
            "result": json.dumps(report, default=str),
        },
    )
    return counts

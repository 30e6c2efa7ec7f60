"""Sales tax the way QuickBooks computes it for an invoice or credit memo.

Sources (details and what stays unconfirmed: docs/quickbooks-behaviour.md):

* Per-line rounding: QuickBooks computes each line's tax, rounds it half-up to cents, then
  sums per rate (community threads, evidence from Canadian companies).
  31 lines of 1.59 at 12 % give 31 x 0.19 = 5.89, not round(49.29 x 12 %) = 5.91.
* ``Line.Amount`` is read as the tax-exclusive amount whatever ``GlobalTaxCalculation`` says;
  ``SalesItemLineDetail.TaxInclusiveAmt`` is "the total amount of line item including tax"
  (Intuit's v3 schema as shipped in its PHP SDK, IPPSalesItemLineDetail; quickbooks-ruby #346:
  "By default QuickBooks assumes all prices exclude tax"). Under TaxInclusive the emulator
  therefore taxes ``Amount`` like TaxExcluded and reports ``TaxInclusiveAmt`` per line.
* An explicit tax is honoured: ``TxnTaxDetail`` "can be calculated by QuickBooks business logic
  or you may supply it" (IPPTxnTaxDetail); a TaxLine's ``OverrideDeltaAmount`` "holds the
  difference between the actual tax and overridden amount supplied by the user"
  (IPPTaxLineDetail); under US automated sales tax "whenever an explicit tax amount is sent
  ... the AST engine honors the amount and prorates it across tax rates in the AST-assigned
  tax code" (Intuit developer blog, 2017-12-11). The emulator honours a TaxLine amount per
  rate and, without TaxLines, ``TotalTax`` prorated over the rates it calculated.
* ``ApplyTaxAfterDiscount`` false: tax on the lines before a transaction discount is taken
  off (developers' reports on Intuit's forum); true: the discount is spread over the sales lines
  pro rata by amount (remainder on the last line) and tax is computed on what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .util import ZERO, money, to_decimal

TAX_EXCLUDED = "TaxExcluded"
TAX_INCLUSIVE = "TaxInclusive"
NOT_APPLICABLE = "NotApplicable"
CALCULATION_MODES = (TAX_EXCLUDED, TAX_INCLUSIVE, NOT_APPLICABLE)

# US line-level pseudo codes: a line is taxable or not; the rate comes from the transaction.
US_TAXABLE = "TAX"
US_NON_TAXABLE = "NON"
HUNDRED = Decimal(100)


class TaxOverrideError(ValueError):
    """An explicit tax QuickBooks would refuse (the caller turns it into fault 6000)."""


@dataclass(frozen=True)
class Rate:
    rate_id: str
    name: str
    percent: Decimal


@dataclass(frozen=True)
class ExplicitTax:
    """What the request said about tax: ``TotalTax`` and/or TaxLine amounts by TaxRate Id."""

    total: Decimal | None = None
    by_rate: dict[str, Decimal] = field(default_factory=dict)

    @property
    def given(self) -> bool:
        return self.total is not None or bool(self.by_rate)


@dataclass
class TaxResult:
    subtotal: Decimal
    discount: Decimal
    total_tax: Decimal
    total_amt: Decimal
    tax_lines: list[dict] = field(default_factory=list)
    # Per sales line: Amount plus its own (rounded) tax; what TaxInclusiveAmt reports.
    line_inclusive: list[Decimal] = field(default_factory=list)


def allocate_discount(amounts: list[Decimal], discount: Decimal) -> list[Decimal]:
    """Spread ``discount`` over ``amounts`` pro rata, in cents, remainder on the last line."""
    total = sum(amounts, ZERO)
    if not amounts or discount == ZERO or total == ZERO:
        return [ZERO] * len(amounts)
    shares = [money(discount * amount / total) for amount in amounts[:-1]]
    shares.append(discount - sum(shares, ZERO))
    return shares


def prorate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``total`` split over ``weights`` in cents (remainder on the last); equal weights when
    every weight is zero, so an explicit tax is never lost."""
    if not weights:
        return []
    if sum(weights, ZERO) == ZERO:
        weights = [Decimal(1)] * len(weights)
    return allocate_discount(weights, total)


def _line_rates(
    code: str | None, rates_of_code: dict[str, list[Rate]], us: bool, us_rates: list[Rate] | None
) -> list[Rate]:
    if us:
        return (us_rates or []) if code == US_TAXABLE else []
    return rates_of_code.get(code or "", [])


def compute(
    lines: list[tuple[Decimal, str | None]],
    discount: Decimal,
    mode: str,
    rates_of_code: dict[str, list[Rate]],
    *,
    us: bool = False,
    us_rates: list[Rate] | None = None,
    apply_after_discount: bool = True,
    explicit: ExplicitTax | None = None,
) -> TaxResult:
    """Tax for sales ``lines`` given as (tax-exclusive amount, tax code id).

    ``rates_of_code`` maps a tax code id to its sales rates. For US companies the line
    codes are TAX/NON and ``us_rates`` (the transaction's tax code: sent, or assigned by
    automated sales tax) apply to the taxable lines; US ignores GlobalTaxCalculation.
    """
    amounts = [amount for amount, _ in lines]
    subtotal = sum(amounts, ZERO)
    shares = allocate_discount(amounts, discount) if apply_after_discount else [ZERO] * len(amounts)
    bases = [amount - share for amount, share in zip(amounts, shares, strict=False)]

    if us:
        mode = TAX_EXCLUDED
    if mode == NOT_APPLICABLE:
        return TaxResult(subtotal, discount, ZERO, subtotal - discount, [], list(amounts))

    # rate -> (taxable base, tax calculated line by line, each line rounded to cents)
    calculated: dict[Rate, tuple[Decimal, Decimal]] = {}
    line_inclusive: list[Decimal] = []
    for (amount, code), base in zip(lines, bases, strict=False):
        line_tax = ZERO
        for rate in _line_rates(code, rates_of_code, us, us_rates):
            tax = money(base * rate.percent / HUNDRED)
            taxable, so_far = calculated.get(rate, (ZERO, ZERO))
            calculated[rate] = (taxable + base, so_far + tax)
            line_tax += tax
        line_inclusive.append(amount + line_tax)
    if us and explicit is not None and explicit.given and not calculated:
        # The transaction's code still carries the explicit tax (no line base to report).
        for rate in us_rates or []:
            calculated[rate] = (ZERO, ZERO)

    ordered = sorted(calculated, key=lambda rate: int(rate.rate_id))
    amounts_by_rate = {rate: calculated[rate][1] for rate in ordered}
    if explicit is not None and explicit.given:
        amounts_by_rate = _apply_explicit(explicit, ordered, amounts_by_rate, us)

    tax_lines: list[dict] = []
    for rate in ordered:
        taxable, tax = calculated[rate]
        detail = {
            "TaxRateRef": {"value": rate.rate_id, "name": rate.name},
            "PercentBased": True,
            "TaxPercent": rate.percent,
            "NetAmountTaxable": money(taxable),
        }
        if amounts_by_rate[rate] != tax:
            detail["OverrideDeltaAmount"] = amounts_by_rate[rate] - tax
        tax_lines.append({"Amount": amounts_by_rate[rate], "DetailType": "TaxLineDetail", "TaxLineDetail": detail})
    total_tax = sum(amounts_by_rate.values(), ZERO)
    return TaxResult(subtotal, discount, total_tax, subtotal - discount + total_tax, tax_lines, line_inclusive)


def _apply_explicit(
    explicit: ExplicitTax, ordered: list[Rate], calculated: dict[Rate, Decimal], us: bool
) -> dict[Rate, Decimal]:
    """Explicit TaxLine amounts replace their rate's tax (non-US); otherwise TotalTax (or, US,
    the TaxLines' sum) is prorated over the calculated rates by their calculated tax."""
    # A negative tax is accepted: lines may be negative (credits), and so is their tax.
    if not ordered and not explicit.by_rate and not explicit.total:
        return {}  # "no tax" said of a transaction with nothing taxable
    if not ordered:
        raise TaxOverrideError(
            "A tax amount was given but no line of this transaction is taxable: give the lines a tax code."
        )
    if explicit.by_rate and not us:
        by_id = {rate.rate_id: rate for rate in ordered}
        unknown = sorted(set(explicit.by_rate) - set(by_id))
        if unknown:
            raise TaxOverrideError(
                f"TaxRateRef={unknown[0]} in TxnTaxDetail is not a rate of any tax code on this transaction's lines."
            )
        result = dict(calculated)
        for rate_id, amount in explicit.by_rate.items():
            result[by_id[rate_id]] = money(amount)
        return result
    total = explicit.total if explicit.total is not None else sum(explicit.by_rate.values(), ZERO)
    shares = prorate(money(total), [calculated[rate] for rate in ordered])
    return dict(zip(ordered, shares, strict=False))


def explicit_tax(txn_tax_detail: dict) -> ExplicitTax:
    """The tax a request states in ``TxnTaxDetail``: TotalTax, and TaxLine amounts by rate."""
    total = to_decimal(txn_tax_detail.get("TotalTax")) if "TotalTax" in txn_tax_detail else None
    by_rate: dict[str, Decimal] = {}
    for line in txn_tax_detail.get("TaxLine") or []:
        if not isinstance(line, dict):
            continue
        ref = (line.get("TaxLineDetail") or {}).get("TaxRateRef") or {}
        rate_id = ref.get("value") if isinstance(ref, dict) else ref
        amount = to_decimal(line.get("Amount"))
        if rate_id is not None and amount is not None:
            by_rate[str(rate_id)] = amount
    return ExplicitTax(total=money(total) if total is not None else None, by_rate=by_rate)


# Automated sales tax: the state of the destination picks the tax code (by its name in the
# seed). The emulator's US companies are in California; only the states the seed has codes
# for are modelled, any other destination gets the company's own code (a simplification:
# real AST knows every US jurisdiction).
AST_HOME_STATE = "CA"
AST_CODE_BY_STATE = {"CA": "California", "NY": "New York City"}


def ast_code_name(ship_addr: object) -> str:
    """The tax code AST assigns: from ``ShipAddr``, else the company's address (Intuit,
    "Manage sales tax for US locales": the destination is the shipping address, or the
    company address when none is given)."""
    state = ""
    if isinstance(ship_addr, dict):
        state = str(ship_addr.get("CountrySubDivisionCode") or "").strip().upper()
    return AST_CODE_BY_STATE.get(state) or AST_CODE_BY_STATE[AST_HOME_STATE]

"""Which QuickBooks Item a catalog item posts to: pure rules, no database, no requests.

QuickBooks' rules (Intuit, Item entity: https://developer.intuit.com/app/developer/qbo/docs/
api/accounting/all-entities/item): an item's ``Name`` is unique, at most 100 characters,
without a colon (it separates a sub-item from its parent in ``FullyQualifiedName``), tab or
new line; ``Sku`` is optional and need not be unique; items are never deleted, only made
inactive; a ``Category`` cannot be used on a transaction line, and a ``Group`` (bundle) only
through GroupLineDetail, which the sync does not send.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

NAME_MAX = 100
NOT_FOR_SALE = ("Category", "Group")

# Outcome codes of a catalog item that cannot be posted (catalog/entries_items.py).
NOT_IN_QUICKBOOKS = "item_not_in_quickbooks"
AMBIGUOUS = "item_ambiguous"
INACTIVE = "item_inactive_in_quickbooks"
NOT_FOR_SALE_CODE = "item_not_for_sale"
NAME_UNUSABLE = "item_name_unusable"
INCOME_ACCOUNT_MISSING = "item_income_account_missing"
INCOME_ACCOUNT_INACTIVE = "item_income_account_inactive"
PROBLEMS = (
    NOT_IN_QUICKBOOKS,
    AMBIGUOUS,
    INACTIVE,
    NOT_FOR_SALE_CODE,
    NAME_UNUSABLE,
    INCOME_ACCOUNT_MISSING,
    INCOME_ACCOUNT_INACTIVE,
)


@dataclass(frozen=True)
class QboItem:
    id: str
    name: str
    active: bool
    sku: str | None
    type: str | None
    full_name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> QboItem:
        name = str(row.get("Name") or "")
        return cls(
            str(row["Id"]),
            name,
            bool(row.get("Active", True)),
            (str(row["Sku"]) if row.get("Sku") else None),
            row.get("Type"),
            str(row.get("FullyQualifiedName") or name),
        )

    @property
    def label(self) -> str:
        """As QuickBooks' screens show it (Sales > Products and services), its Id after."""
        sku = f", SKU {self.sku}" if self.sku else ""
        return f"'{self.full_name}' ({self.type or 'item'}{sku}; Id {self.id})"


@dataclass(frozen=True)
class CatalogItem:
    id: int
    name: str | None
    kind: str | None
    sku: str | None

    @property
    def kind_or_service(self) -> str:
        return "product" if self.kind == "product" else "service"


@dataclass(frozen=True)
class Mapped:
    """A map row: the QuickBooks Item a catalog item was given earlier."""

    qbo_item_id: str
    matched_by: str
    app_name: str
    app_sku: str | None


@dataclass(frozen=True)
class Resolution:
    catalog: CatalogItem
    problem: str | None = None  # one of PROBLEMS; None: usable (item set) or to be created
    item: QboItem | None = None
    matched_by: str | None = None  # 'sku' | 'name' | 'created'
    candidates: tuple[QboItem, ...] = ()
    mapped: Mapped | None = None  # the map row it came from, if any
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def to_create(self) -> bool:
        return self.problem is None and self.item is None


def quickbooks_name(app_name: str | None) -> str:
    """The catalog item's name as a QuickBooks Item name: whitespace runs (tabs, new lines)
    as one space, a colon as a dash, at most 100 characters. '' if nothing is left."""
    text = " ".join((app_name or "").replace(":", " - ").split())
    return text[:NAME_MAX].rstrip()


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


def _pick(catalog: CatalogItem, found: list[QboItem], how: str) -> Resolution:
    sellable = [it for it in found if it.type not in NOT_FOR_SALE]
    active = [it for it in sellable if it.active]
    if len(active) == 1:
        return Resolution(catalog, item=active[0], matched_by=how)
    if len(active) > 1:
        return Resolution(catalog, AMBIGUOUS, matched_by=how, candidates=tuple(active))
    if sellable:
        return Resolution(catalog, INACTIVE, item=sellable[0], matched_by=how, candidates=tuple(sellable))
    return Resolution(catalog, NOT_FOR_SALE_CODE, item=found[0], matched_by=how)


def usable(item: QboItem) -> str | None:
    """Why the item cannot go on an invoice line, as an outcome code (None: it can)."""
    if item.type in NOT_FOR_SALE:
        return NOT_FOR_SALE_CODE
    if not item.active:
        return INACTIVE
    return None


def resolve(
    catalog: CatalogItem,
    known: dict[str, QboItem],
    mapped: Mapped | None,
    policy: str,
    income_account: tuple[str | None, bool] = (None, False),
) -> Resolution:
    """The QuickBooks Item of ``catalog`` among ``known`` (every item of the company, active
    or not). A mapped item that still exists keeps the catalog item, even renamed in the app;
    otherwise SKU first, then name. ``income_account`` = (the tenant's account Id for this
    kind of item, whether it is active), used when ``policy`` is 'create'."""
    notes: list[str] = []
    if mapped is not None:
        item = known.get(mapped.qbo_item_id)
        if item is not None:
            if not _same(mapped.app_name, catalog.name):
                notes.append(
                    f"the app's item '{catalog.name}' was called '{mapped.app_name}' when it was mapped; it "
                    f"still posts to the QuickBooks item {item.label}"
                )
            elif (mapped.app_sku or "") != (catalog.sku or ""):
                notes.append(
                    f"the SKU of the app's item '{catalog.name}' changed from {mapped.app_sku or '(none)'} to "
                    f"{catalog.sku or '(none)'} since it was mapped; it still posts to the QuickBooks item "
                    f"{item.label}"
                )
            return Resolution(catalog, usable(item), item, mapped.matched_by, mapped=mapped, notes=tuple(notes))
        notes.append(f"the QuickBooks item (Id {mapped.qbo_item_id}) it was mapped to is gone; matched again")
    if catalog.sku and catalog.sku.strip():
        by_sku = [it for it in known.values() if it.sku and _same(it.sku, catalog.sku)]
        if by_sku:
            return _with_notes(_pick(catalog, by_sku, "sku"), notes)
    name = quickbooks_name(catalog.name)
    if name:
        by_name = [it for it in known.values() if _same(it.name, name) or _same(it.full_name, name)]
        if by_name:
            return _with_notes(_pick(catalog, by_name, "name"), notes)
    if policy != "create":
        return Resolution(catalog, NOT_IN_QUICKBOOKS, notes=tuple(notes))
    if not name:
        return Resolution(catalog, NAME_UNUSABLE, notes=tuple(notes))
    account_id, account_active = income_account
    if not account_id:
        return Resolution(catalog, INCOME_ACCOUNT_MISSING, notes=tuple(notes))
    if not account_active:
        return Resolution(catalog, INCOME_ACCOUNT_INACTIVE, notes=tuple(notes))
    return Resolution(catalog, matched_by="created", notes=tuple(notes))


def _with_notes(resolution: Resolution, notes: Iterable[str]) -> Resolution:
    if not notes:
        return resolution
    return Resolution(
        resolution.catalog,
        resolution.problem,
        resolution.item,
        resolution.matched_by,
        resolution.candidates,
        resolution.mapped,
        (*notes, *resolution.notes),
    )


MATCHED_BY_TEXT = {"sku": "SKU", "name": "name", "created": "creation by the sync"}


def item_context(position: int, resolution: Resolution) -> dict[str, Any]:
    """The placeholders of the item outcome codes' causes and fixes (catalog/entries_items.py)."""
    catalog = resolution.catalog
    shown = resolution.candidates or ((resolution.item,) if resolution.item else ())
    return {
        "item_position": position,
        "app_item": catalog.name or "(no name)",
        "item_sku": catalog.sku or "(none)",
        "item_kind": catalog.kind_or_service,
        "catalog_item_id": catalog.id,
        "qbo_item": resolution.item.label if resolution.item else "(none)",
        "item_type": (resolution.item.type if resolution.item else None) or "item",
        "candidates": "; ".join(it.label for it in shown) or "(none)",
        "matched_by": MATCHED_BY_TEXT.get(resolution.matched_by or "", "name"),
    }

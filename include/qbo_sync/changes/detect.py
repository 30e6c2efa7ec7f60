"""Which of our records someone changed in QuickBooks, each with an explained outcome.

Input: the run's change data capture (Invoice, Customer, CreditMemo, Payment, and the
RefundReceipts the sync sent for app refunds), of which
only the records our map knows are looked at. For each:

* **Our own write** is never a change made in QuickBooks: its SyncToken is the one our map
  recorded for it (a create, an update, a void). What QuickBooks then held becomes the
  record's fingerprint, the reference for later versions.
* A later version (higher SyncToken) is **edited** only when its fingerprint differs from
  that reference (or, with none yet, from what the billing app says): a payment applied in
  QuickBooks bumps an invoice's SyncToken without editing it. A version that says what the
  app says is no edit either (our void of an invoice unlinks its payments in QuickBooks). Our
  map then takes the current SyncToken, so whatever the sync sends next goes with it.
* A customer **renamed**: its DisplayName is no longer the name the sync gave the client (the
  name of our last write, recorded when this capture sees it; before that, the name the
  tenant's display-name template gives the client, with or without a " - n" differentiator).
* **Voided** (amounts zeroed, "Voided" in the note) and **deleted** (``status: Deleted``,
  only an Id) transactions; a customer made **inactive**, or **merged** into another (a
  customer cannot be deleted in QuickBooks: one listed as deleted was merged away, and the
  transactions that named it now name the survivor, which is not an edit of theirs).
  A deleted or merged record leaves our map: it is created again only when finance resyncs it.
* A record that agrees with the app again (a customer made active again, an edit undone)
  closes its open change.

The tenant's policy decides the outcome: ``flag`` (a failure with the fix; nothing is sent
for the record until it is resynced or excluded: the staging SQL holds it) or ``app_wins``
(an edited invoice, payment or credit memo, a customer made inactive or renamed is staged by
the next run, which puts the app's version back: ``RESTORABLE``). ``qbo_sync.quickbooks_changes``
keeps each record's open change.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any

import psycopg

from qbo_sync import outcomes
from qbo_sync.changes import fingerprint as fp
from qbo_sync.changes.applications import judge_application
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract.read import tenant_settings
from qbo_sync.extract.records import Client
from qbo_sync.transform.customer import display_name, has_name

log = logging.getLogger(__name__)

# QuickBooks entity -> our map's entities for it (the first is the record's own).
MAP_ENTITIES = {
    "Invoice": ("invoice", "invoice_void"),
    "Customer": ("customer",),
    "CreditMemo": ("credit_memo",),
    "Payment": ("payment",),
    "RefundReceipt": ("refund",),  # a refund receipt has no void: edited (amount) or deleted
}
WHAT = {
    "invoice": "Invoice",
    "credit_memo": "Credit note",
    "payment": "Payment",
    "customer": "Client",
    "refund": "Refund",
    "credit_application": "Credit note",  # a credit memo's application (changes/applications.py)
}
# What the policy app_wins puts back (the view qbo_sync.quickbooks_change_holds says the same).
RESTORABLE = {
    ("invoice", "edited"),
    ("payment", "edited"),
    ("credit_memo", "edited"),
    ("customer", "inactive"),
    ("customer", "renamed"),
}


@dataclasses.dataclass
class Seen:
    """One of our records in a captured change."""

    entity: str
    source_id: int
    qbo_id: str
    tokens: set[str]  # SyncTokens our own writes left (the record's, and its void's)
    reference: dict[str, Any] | None  # fingerprint after our last write, if known
    change: Any  # qbo_client.CdcChange
    written: bool = True  # the sync sent its content (not only linked to it by hand)


def _named(record: dict[str, Any]) -> dict[str, Any] | None:
    """A customer's fingerprint: the name QuickBooks shows."""
    return {"DisplayName": record["DisplayName"]} if record.get("DisplayName") else None


def _is_given(name: str, given: str, *, exact: bool) -> bool:
    """Is ``name`` the one the sync gave? Against the template's name (``exact`` False), a
    " - n" the name-clash policy suffix adds is the sync's own too."""
    if name == given:
        return True
    return not exact and name.startswith(f"{given} - ") and name[len(given) + 3 :].isdigit()


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "a recent date"


def record_changes(
    conn: psycopg.Connection, ctx: outcomes.RunContext, tenant_id: int, realm_id: str, changes: list[Any]
) -> dict[str, int]:
    """Explain every change made in QuickBooks to one of our records; returns counts by kind.
    Runs inside the caller's transaction (the one that moves the change-data-capture cursor)."""
    ids: dict[str, set[str]] = {name: set() for name in MAP_ENTITIES}
    for change in changes:
        if change.entity_name in ids:
            ids[change.entity_name].add(str(change.id))
    if not any(ids.values()):
        return {}
    mapped: dict[tuple[str, str], tuple[int, str | None, str | None, bool]] = {
        (entity, qbo_id): (source_id, token, print_, written)
        for entity, source_id, qbo_id, token, print_, written in conn.execute(
            load_sql("changes/mapped"),
            {"tenant_id": tenant_id, **{f"{name.lower()}_ids": sorted(v) for name, v in ids.items()}},
        )
    }
    seen: list[Seen] = []
    for change in changes:
        names = MAP_ENTITIES.get(change.entity_name)
        if change.entity_name == "Payment" and ("credit_application", str(change.id)) in mapped:
            names = ("credit_application",)  # the zero Payment applying one of our credit memos
        if not names or (names[0], str(change.id)) not in mapped:
            continue  # not ours (a QuickBooks payment to import, a customer keyed there...)
        source_id, _token, print_, written = mapped[(names[0], str(change.id))]
        tokens = set()
        for name in names:  # an invoice's own write, and the void we sent for it
            row = mapped.get((name, str(change.id)))
            if row and row[1]:
                tokens.add(row[1])
        seen.append(Seen(names[0], source_id, str(change.id), tokens, fp.loads(print_), change, written))
    if not seen:
        return {}
    by_entity: dict[str, list[int]] = {}
    for s in seen:
        by_entity.setdefault(s.entity, []).append(s.source_id)
    app = {
        (entity, source_id): (ref, amount, status, values or {})
        for entity, source_id, ref, amount, status, values in conn.execute(
            load_sql("changes/app_records"),
            {"tenant_id": tenant_id, **{f"{e}_ids": by_entity.get(e, []) for e in WHAT}},
        )
    }
    policy = (conn.execute(load_sql("changes/policy"), {"tenant_id": tenant_id}).fetchone() or ("flag",))[0]
    open_changes = {
        (entity, source_id): (kind, detail)
        for entity, source_id, kind, detail in conn.execute(load_sql("changes/open"), {"tenant_id": tenant_id})
    }
    judge = _Judge(conn, ctx, tenant_id, realm_id, policy, app, open_changes, changes)
    judge.seen = seen
    for s in sorted(
        seen, key=lambda s: (s.entity != "customer", s.change.last_updated or datetime.min.replace(tzinfo=UTC))
    ):
        judge.one(s)
    for then in judge.later:
        then()
    judge.flush()
    if judge.counts:
        log.info("tenant %s: changes made in QuickBooks to our records: %s", tenant_id, judge.counts)
    return judge.counts


class _Judge:
    def __init__(self, conn, ctx, tenant_id, realm_id, policy, app, open_changes, changes) -> None:
        self.conn, self.ctx, self.tenant_id, self.realm_id = conn, ctx, tenant_id, realm_id
        self.policy, self.app, self.open = policy, app, open_changes
        self.counts: dict[str, int] = {}
        # Customers as QuickBooks' screens show them (names from this capture), and merges.
        self.names: dict[str, str] = {}
        for c in changes:
            if c.deleted:
                continue
            if c.entity_name == "Customer" and c.entity.get("DisplayName"):
                self.names[str(c.id)] = f"'{c.entity['DisplayName']}' (Id {c.id})"
            ref = c.entity.get("CustomerRef") or {}
            if isinstance(ref, dict) and ref.get("name") and ref.get("value") is not None:
                self.names.setdefault(str(ref["value"]), f"'{ref['name']}' (Id {ref['value']})")
        self.merged_qbo: dict[str, str | None] = {}  # merged-away customer Id -> survivor Id
        self._pending_outcomes: list[tuple] = []
        self.seen: list[Seen] = []
        self._templated: dict[int, str] | None = None  # client id -> the template's name
        # Invoices this capture shows voided or deleted in QuickBooks (their own change says it).
        self.gone_invoices = {
            str(c.id) for c in changes if c.entity_name == "Invoice" and (c.deleted or fp.voided(c.entity))
        }

        self.later: list[Any] = []  # judged once every record was (changes/applications.py)
        self.changed_now: set[tuple[str, int]] = set()  # records found changed in this capture

    def invoice_gone(self, qbo_id: Any) -> bool:
        return qbo_id is not None and str(qbo_id) in self.gone_invoices

    # ------------------------------------------------------------------ one record
    def one(self, s: Seen) -> None:
        change, entity = s.change, s.entity
        ref, amount, status, values = self.app.get((entity, s.source_id), (None, None, None, {}))
        if entity == "credit_application":
            judge_application(self, s, ref, amount, status, values)
            return
        token = str(change.entity.get("SyncToken")) if not change.deleted else None
        if change.deleted:
            if entity != "customer" and status == "voided":
                # The app voided it and it is gone from QuickBooks: the books agree. A credit
                # note voided in the app is deleted there by the sync itself (a CreditMemo has
                # no void), and this capture sees that deletion.
                return
            kind = "merged" if entity == "customer" else "deleted"
            self._changed(s, kind, ref, amount, detail=None)
            return
        if token in s.tokens:  # our own write
            print_ = _named(change.entity) if entity == "customer" else fp.of_quickbooks(entity, change.entity)
            self._version(s, token, print_, keep_hash=True)
            return
        if entity == "customer":
            name, given = change.entity.get("DisplayName"), self._given_name(s)
            if change.entity.get("Active", True) is False:
                self._changed(s, "inactive", ref, amount, detail=None)
            elif name and given and not _is_given(name, given, exact=s.reference is not None):
                self._changed(s, "renamed", ref, amount, detail=f"name '{given}' -> '{name}'")
            else:
                self._version(s, token, _named(change.entity), keep_hash=True)
                self._agrees_again(s, ref, amount, "inactive", "it was made active again in QuickBooks")
                self._agrees_again(s, ref, amount, "renamed", "its name was put back in QuickBooks")
            return
        if fp.voided(change.entity):
            if status == "voided":  # the app voided it too: the books agree
                self._version(s, token, None, keep_hash=True)
            else:
                self._changed(s, "voided", ref, amount, detail=None, status=status)
            return
        now = fp.of_quickbooks(entity, change.entity)
        app_says = fp.normalized(entity, values)
        # A fingerprint recorded before a field was added to it takes the app's value for it.
        reference = {**app_says, **s.reference} if s.reference else app_says
        said = fp.differences(entity, reference, now, self.names)
        if said and not fp.differences(entity, app_says, now, self.names):
            said = []  # QuickBooks now says what the app says (e.g. our void of its invoice unlinked a payment)
        if said and self._moved_by_merge(entity, reference, now):
            said = []  # its customer was merged away: the survivor holds it now
        if not said:
            self._version(s, token, now, keep_hash=True)
            self._agrees_again(s, ref, amount, "edited", "the change made in QuickBooks was undone there")
            return
        self._changed(s, "edited", ref, amount, detail="; ".join(said))

    def _given_name(self, s: Seen) -> str | None:
        """The name the sync gave the client: its last write's (recorded), else the template's.
        None for a customer linked by hand that the sync has not written since: it gave no name."""
        if s.reference and s.reference.get("DisplayName"):
            return s.reference["DisplayName"]
        if not s.written:
            return None
        if self._templated is None:
            self._templated = {}
            ids = [x.source_id for x in self.seen if x.entity == "customer" and not x.reference]
            template = tenant_settings(self.conn, self.tenant_id).display_name_template
            for row in self.conn.execute(load_sql("load/clients_by_id"), {"ids": ids}):
                client = Client(*row)
                if client.tenant_id == self.tenant_id and has_name(client):
                    self._templated[client.id] = display_name(client, template)
        return self._templated.get(s.source_id)

    def _moved_by_merge(self, entity: str, before: dict[str, Any], now: dict[str, Any]) -> bool:
        if "CustomerRef" not in fp.FIELDS[entity]:
            return False
        old = before.get("CustomerRef")
        rest_equal = all(before.get(k) == now.get(k) for k in fp.FIELDS[entity] if k != "CustomerRef")
        if rest_equal and old in self.merged_qbo:
            self.merged_qbo[old] = self.merged_qbo[old] or now.get("CustomerRef")
            return True
        return False

    # ------------------------------------------------------------------ writing
    def _changed(self, s: Seen, kind: str, ref, amount, *, detail: str | None, status: str | None = None) -> None:
        change = s.change
        token = None if change.deleted else str(change.entity.get("SyncToken"))
        if self.open.get((s.entity, s.source_id)) == (kind, detail):
            # Already explained (a re-run, capture reading it again, a payment applied since):
            # only the SyncToken moves on.
            if token is not None:
                self._version(s, token, None, keep_hash=False)
            return
        qbo_name = None if change.deleted else (change.entity.get("DisplayName") or change.entity.get("DocNumber"))
        if kind == "merged":
            self.merged_qbo[s.qbo_id] = None
        params = {
            "tenant_id": self.tenant_id,
            "entity": s.entity,
            "source_id": s.source_id,
            "realm_id": self.realm_id,
            "qbo_id": s.qbo_id,
            "kind": kind,
            "detail": detail,
            "qbo_name": qbo_name,
            "sync_token": token,
            "changed_at": change.last_updated,
            "run_id": self.ctx.run_id,
        }
        self.conn.execute(load_sql("changes/record"), params)
        if kind in ("deleted", "merged"):
            self.conn.execute(load_sql("changes/forget"), params)
        else:
            self._version(s, token, None, keep_hash=False)  # the next send goes with the current SyncToken
        self.open[(s.entity, s.source_id)] = (kind, detail)
        self.changed_now.add((s.entity, s.source_id))
        self._pending_outcomes.append((s, kind, ref, amount, detail, status, qbo_name))
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def _version(self, s: Seen, token: str | None, print_: dict[str, Any] | None, keep_hash: bool) -> None:
        self.conn.execute(
            load_sql("changes/set_version"),
            {
                "tenant_id": self.tenant_id,
                "entity": s.entity,
                "source_id": s.source_id,
                "sync_token": token,
                "fingerprint": fp.dumps(print_) if print_ else None,
                "keep_hash": keep_hash,
            },
        )

    def _agrees_again(self, s: Seen, ref, amount, kind: str, how: str) -> None:
        prior = self.open.get((s.entity, s.source_id))
        if prior is None or prior[0] != kind:
            return
        self.conn.execute(
            load_sql("changes/resolve"),
            {"tenant_id": self.tenant_id, "entity": s.entity, "source_id": s.source_id, "how": how},
        )
        del self.open[(s.entity, s.source_id)]
        outcome = outcomes.from_catalog(
            "quickbooks_change_undone",
            tenant_id=self.tenant_id,
            entity=s.entity,
            source_id=s.source_id,
            source_ref=ref,
            realm_id=self.realm_id,
            amount=amount,
            action="skip",
            what=f"{WHAT[s.entity]} {ref or s.source_id}",
            how=how,
        )
        outcomes.record(self.conn, self.ctx, dataclasses.replace(outcome, qbo_id=s.qbo_id))
        self.counts["undone"] = self.counts.get("undone", 0) + 1

    def flush(self) -> None:
        """The outcomes, once every record was judged (a merge's survivor is known by then)."""
        for s, kind, ref, amount, detail, status, qbo_name in self._pending_outcomes:
            code = f"{s.entity}_{kind}_in_quickbooks"
            restoring = self.policy == "app_wins" and (s.entity, kind) in RESTORABLE
            if restoring:
                code += "_restoring"
            survivor = self.merged_qbo.get(s.qbo_id)
            context = {
                "number": ref,
                "reference": ref,
                "client_id": s.source_id,
                "display_name": qbo_name or ref,
                "changed_at": _when(s.change.last_updated),
                "changes": detail,
                "total": amount,
                "amount_text": amount,
                "status": status,
                "survivor": f"the QuickBooks customer {self.names[survivor]}"
                if survivor in self.names
                else "another QuickBooks customer",
            }
            outcome = outcomes.from_catalog(
                code,
                tenant_id=self.tenant_id,
                entity=s.entity,
                source_id=s.source_id,
                source_ref=ref,
                realm_id=self.realm_id,
                amount=amount if s.entity != "customer" else None,
                action="skip",
                **context,
            )
            outcomes.record(
                self.conn,
                self.ctx,
                dataclasses.replace(outcome, qbo_id=s.qbo_id, error_message=f"{kind} in QuickBooks"),
            )
            if kind == "merged" and survivor:
                self.conn.execute(
                    load_sql("changes/merged_into"),
                    {"tenant_id": self.tenant_id, "source_id": s.source_id, "merged_into": context["survivor"]},
                )
        self._pending_outcomes = []

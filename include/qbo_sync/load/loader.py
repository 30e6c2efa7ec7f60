"""Send a batch of ready records to QuickBooks, exactly once.

The rules that keep duplicates out of the books:
* our map (source id -> QuickBooks Id, SyncToken, hash of what we sent) decides create
  vs. update vs. skip; an unchanged record is never sent again;
* a record that any earlier try or run already attempted (its answer may have been
  lost) is first looked up in QuickBooks by DocNumber (invoices, with our PrivateNote
  tag) or DisplayName (customers); if it is there, it is adopted, not re-posted;
* a write whose outcome is unknown is looked up again at once, and re-posted only if
  it is not in QuickBooks;
* records go in batches of at most 30 and, beside them, as plain single-record requests
  (``QboClient.write_many``: the company's 500 requests a minute, not only its 40 batches);
  every request carries a requestid derived from what it sends, so a re-run that sends the
  same thing lets QuickBooks replay its first answer, and a plain request whose answer was
  lost is looked up before any re-post, exactly as a batch item.
Every record ends the run with exactly one outcome row (outcomes.record upserts).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

from qbo_client import quote
from qbo_sync import outcomes
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.extract import read
from qbo_sync.extract.records import Client
from qbo_sync.extract.tracking import invoice_locations, tracking_settings
from qbo_sync.items.create import items_for_load
from qbo_sync.items.settings import item_settings
from qbo_sync.load import currency
from qbo_sync.load.moves import InvoiceMoves, record_customers
from qbo_sync.load.progress import LoadProgress
from qbo_sync.load.versioned import STALE, carries_fields, carries_sales
from qbo_sync.transform.adjustments import as_text
from qbo_sync.transform.currency import CurrencyPlan, with_currency
from qbo_sync.transform.customer import customer_payload
from qbo_sync.transform.invoice import (
    CompanyMapping,
    Invoice,
    InvoiceLine,
    invoice_payload,
    payload_hash,
    private_note_tag,
)
from qbo_sync.transform.tracking import apply_tracking
from qbo_sync.validate.company import QuickBooksLookups

log = logging.getLogger(__name__)

UNKNOWN_OUTCOME_ROUNDS = 3  # look up, re-post, look up... before giving up for this run
BATCH_CONCURRENCY = 3  # batch requests in flight per call: hides round trips behind the pacing
ALREADY_THERE = "QuickBooks already had this change (an earlier answer was lost); not sent again"
# (plain requests take the other slots of the company's 10, less one: qbo_client.mixed)


class SystemicFailure(RuntimeError):
    """QuickBooks could not be worked with at all (down, throttling beyond the retries):
    the task fails so on-call can clear and re-run it; records keep their outcomes."""


@dataclass
class Pending:
    source_id: int
    source_ref: str | None
    amount: Any
    body: dict[str, Any]
    hash: str
    qbo_id: str | None = None  # update when set
    sync_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    adjustments: list[str] = field(default_factory=list)  # what was changed for QuickBooks


def _requestid(realm_id: str, entity: str, pending: list[Pending]) -> str:
    """Same records with the same content -> same requestid (QuickBooks replays it)."""
    digest = hashlib.sha256(
        json.dumps([realm_id, entity, [(p.source_id, p.hash, p.sync_token) for p in pending]]).encode()
    )
    return digest.hexdigest()[:32]


class BatchLoader:
    def __init__(
        self,
        conn: psycopg.Connection,
        ctx: outcomes.RunContext,
        tenant_id: int,
        realm_id: str,
        client: Any,
        progress: LoadProgress | None = None,
    ) -> None:
        self.conn = conn
        self.progress = progress
        self.ctx = ctx
        self.tenant_id = tenant_id
        self.realm_id = realm_id
        self.client = client
        self.lookups = QuickBooksLookups(client.query)
        self.counts = {"synced": 0, "skipped": 0, "failed": 0}
        # Synced records of the open transaction, written when it ends: one map statement and
        # one outcome statement per entity and batch instead of two per record.
        self._synced: dict[str, list[tuple[Pending, str | None, str | None, Any]]] | None = None

    # ------------------------------------------------------------------ outcomes
    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A transaction whose synced records' map rows and outcomes are written at its end,
        inside it (so they commit, or roll back, together)."""
        outer = self._synced
        self._synced = {}
        try:
            with self.conn.transaction():
                yield
                self._flush()
        finally:
            self._synced = outer

    def _flush(self) -> None:
        for entity, done in self._synced.items():
            # One row per record (a record met twice keeps its last answer, as before).
            rows = list({p.source_id: (p, qid, token, how) for p, qid, token, how in done}.values())
            done.clear()
            if not rows:
                continue
            self.conn.execute(
                load_sql("load/upsert_entity_map_many"),
                {
                    "tenant_id": self.tenant_id,
                    "entity": entity,
                    "realm_id": self.realm_id,
                    "source_id": [p.source_id for p, _, _, _ in rows],
                    "qbo_id": [qid for _, qid, _, _ in rows],
                    "sync_token": [token for _, _, token, _ in rows],
                    "payload_hash": [p.hash for p, _, _, _ in rows],
                    "doc_number": [p.body.get("DocNumber") for p, _, _, _ in rows],
                },
            )
            if entity == "invoice":  # the customer it went to: a later move is noticed (load/moves.py)
                record_customers(self.conn, self.tenant_id, [p for p, _, _, _ in rows])
            outcomes.record_many(
                self.conn,
                self.ctx,
                [
                    outcomes.Outcome(
                        tenant_id=self.tenant_id,
                        entity=entity,
                        source_id=p.source_id,
                        source_ref=p.source_ref,
                        action=action,
                        status="synced",
                        realm_id=self.realm_id,
                        qbo_id=qid,
                        amount=p.amount,
                        error_message=note,
                        adjustments=as_text(p.adjustments),
                    )
                    for p, qid, _, (action, note) in rows
                ],
            )

    def _done(
        self,
        entity: str,
        p: Pending,
        *,
        action: str,
        qbo_entity: dict[str, Any] | None,
        qbo_id: str | None = None,
        note: str | None = None,
    ) -> None:
        if self._synced is None:
            raise RuntimeError("_done outside _writing(): the outcome would never be written")
        qid = str(qbo_entity["Id"]) if qbo_entity else qbo_id
        token = str(qbo_entity.get("SyncToken")) if qbo_entity else p.sync_token
        self._synced.setdefault(entity, []).append((p, qid, token, (action, note)))
        self.counts["synced"] += 1

    def _failed_fault(self, entity: str, p: Pending, fault: Any, action: str) -> None:
        outcomes.record(
            self.conn,
            self.ctx,
            outcomes.from_fault(
                fault,
                tenant_id=self.tenant_id,
                realm_id=self.realm_id,
                entity=entity,
                source_id=p.source_id,
                source_ref=p.source_ref,
                action=action,
                amount=p.amount,
            ),
        )
        self.counts["failed"] += 1

    def _failed_code(
        self, entity: str, source_id: int, ref: str | None, amount: Any, code: str, **context: object
    ) -> None:
        outcomes.record(
            self.conn,
            self.ctx,
            outcomes.from_catalog(
                code,
                tenant_id=self.tenant_id,
                entity=entity,
                source_id=source_id,
                source_ref=ref,
                realm_id=self.realm_id,
                amount=amount,
                **context,
            ),
        )
        self.counts["failed"] += 1

    def _skipped_unchanged(self, entity: str, p: Pending, qbo_id: str) -> None:
        status = outcomes.unchanged(
            self.conn,
            self.ctx,
            tenant_id=self.tenant_id,
            realm_id=self.realm_id,
            entity=entity,
            source_id=p.source_id,
            source_ref=p.source_ref,
            amount=p.amount,
            qbo_id=qbo_id,
        )
        self.counts[status] += 1

    # ------------------------------------------------------------------ sending
    def _send(self, entity: str, qbo_entity: str, pending: list[Pending], find_existing) -> None:
        """Create/update ``pending``; unknown outcomes are looked up before any re-post."""
        from qbo_client.results import BatchOperation

        rounds = 0
        while pending and rounds < UNKNOWN_OUTCOME_ROUNDS:
            rounds += 1
            ops = []
            for i, p in enumerate(pending):
                if p.qbo_id:
                    body = {**p.body, "Id": p.qbo_id, "SyncToken": p.sync_token}
                    ops.append(BatchOperation.update(qbo_entity, body, sparse=entity == "customer", bid=str(i + 1)))
                else:
                    ops.append(BatchOperation.create(qbo_entity, p.body, bid=str(i + 1)))
            # Records of one call never depend on each other (parents load in an earlier task).
            # Batches and plain requests side by side: the company's whole request budget.
            results = self.client.write_many(
                ops,
                requestid=_requestid(self.realm_id, entity, pending),
                batch_senders=BATCH_CONCURRENCY,
                on_answer=self.progress.answered if self.progress else None,
            )
            unknown: list[Pending] = []
            stale: list[Pending] = []
            transient = 0
            with self._writing():
                for p, res in zip(pending, results, strict=False):
                    action = "update" if p.qbo_id else "create"
                    if res.ok:
                        self._done(entity, p, action=action, qbo_entity=res.entity, note=p.extra.get("note"))
                    elif res.outcome_unknown:
                        unknown.append(p)
                    elif (
                        str(res.fault.code) == STALE
                        and p.qbo_id
                        and not p.extra.get("reread")
                        and rounds < UNKNOWN_OUTCOME_ROUNDS
                    ):
                        stale.append(p)  # edited in QuickBooks since our write: read it once (below)
                    else:
                        if res.fault.category == "transient":
                            transient += 1
                        self._failed_fault(entity, p, res.fault, action)
            if transient and transient == len(results):
                raise SystemicFailure(
                    f"QuickBooks refused a whole batch of {len(results)} {entity}s with transient "
                    f"errors ({results[0].fault.summary()}); the task will be retried."
                )
            stale = self._reread(entity, qbo_entity, stale)
            updates = [p for p in unknown if p.qbo_id]
            if updates:  # looked up by Id first: one that landed is never sent (or overwritten) twice
                unknown = [p for p in unknown if not p.qbo_id] + self._look_up_updates(entity, qbo_entity, updates)
            creates = [p for p in unknown if not p.qbo_id]
            if creates:
                found = find_existing(creates)
                with self._writing():
                    for p in creates:
                        if p.source_id in found:
                            self._done(
                                entity,
                                p,
                                action="create",
                                qbo_entity=found[p.source_id],
                                note="QuickBooks' answer was lost; found it there, not re-sent",
                            )
                unknown = [p for p in unknown if p.qbo_id or p.source_id not in found]
            # An update whose answer was lost was read above: sent again only when QuickBooks
            # does not hold it, with the SyncToken read (never a blind second write).
            pending = unknown + stale
        if pending:
            with self._writing():
                for p in pending:
                    self._failed_code_transient(entity, p)
            raise SystemicFailure(
                f"{len(pending)} {entity}(s) got no certain answer from QuickBooks after "
                f"{UNKNOWN_OUTCOME_ROUNDS} rounds; the task will be retried (it looks them up first)."
            )

    def _carries(self, entity: str, p: Pending, fresh: dict[str, Any]) -> bool:
        """Does QuickBooks' copy already hold ``p``'s update (an earlier answer was lost)?"""
        if entity == "invoice":
            return carries_sales(p.body)(fresh)
        return carries_fields(p.body, p.sync_token)(fresh)

    def _look_up_updates(self, entity: str, qbo_entity: str, updates: list[Pending]) -> list[Pending]:
        """Updates whose answer was lost, read by Id before anything is sent again: one QuickBooks
        already has (a later SyncToken holding every field sent) is done; the others go again,
        with the SyncToken QuickBooks holds now (a person's edit since is not overwritten blindly:
        the update names the version it read). Still no answer: the next round looks again."""
        return self._read_again(entity, qbo_entity, updates, stale=False)

    def _reread(self, entity: str, qbo_entity: str, stale: list[Pending]) -> list[Pending]:
        """Records QuickBooks called stale (5010), read once each (load/versioned.py): one that
        already carries our change is done without sending it again; the others go once more
        with the fresh SyncToken, and a second 5010 is their outcome."""
        return self._read_again(entity, qbo_entity, stale, stale=True)

    def _read_again(self, entity: str, qbo_entity: str, pending: list[Pending], *, stale: bool) -> list[Pending]:
        from qbo_client.errors import OutcomeUnknown, QboFaultError

        again: list[Pending] = []
        with self._writing():
            for p in pending:
                if stale:
                    p.extra["reread"] = True
                try:
                    fresh = self.client.read(qbo_entity, p.qbo_id)
                except OutcomeUnknown:
                    if stale:
                        raise
                    again.append(p)
                    continue
                except QboFaultError as exc:  # e.g. deleted in QuickBooks meanwhile (610)
                    self._failed_fault(entity, p, exc.fault, "update")
                    continue
                if self._carries(entity, p, fresh):
                    self._done(entity, p, action="update", qbo_entity=fresh, note=ALREADY_THERE)
                    continue
                p.sync_token = str(fresh.get("SyncToken"))
                again.append(p)
        return again

    def _failed_code_transient(self, entity: str, p: Pending) -> None:
        outcomes.outcome_unknown(
            self.conn,
            self.ctx,
            tenant_id=self.tenant_id,
            realm_id=self.realm_id,
            entity=entity,
            source_id=p.source_id,
            source_ref=p.source_ref,
            amount=p.amount,
            action="update" if p.qbo_id else "create",
        )
        self.counts["failed"] += 1

    def _prior_attempts(self, entity: str, ids: list[int]) -> set[int]:
        if (self.ctx.try_number or 1) > 1 or self.ctx.interrupted:
            return set(ids)  # a retried or resumed track may have died mid-batch: check them all
        rows = self.conn.execute(
            load_sql("load/prior_attempts"), {"tenant_id": self.tenant_id, "entity": entity, "source_ids": ids}
        ).fetchall()
        return {r[0] for r in rows}

    # ------------------------------------------------------------------ customers
    def load_customers(self, batch_no: int) -> None:
        items = self.conn.execute(
            load_sql("load/batch_items"),
            {"run_id": self.ctx.run_id, "tenant_id": self.tenant_id, "entity": "customer", "batch_no": batch_no},
        ).fetchall()
        if not items:
            return
        ids = [r[0] for r in items]
        clients = {r[0]: Client(*r) for r in self.conn.execute(load_sql("load/clients_by_id"), {"ids": ids})}
        mapped = {
            r[0]: r
            for r in self.conn.execute(
                load_sql("load/entity_map_rows"), {"tenant_id": self.tenant_id, "entity": "customer", "source_ids": ids}
            )
        }
        parents = sorted({c.parent_client_id for c in clients.values() if c.parent_client_id})
        parent_ids = dict(
            self.conn.execute(
                load_sql("validate/entity_map_ids"),
                {"tenant_id": self.tenant_id, "entity": "customer", "source_ids": parents},
            ).fetchall()
        )
        changed_there = self._changed_in_quickbooks("customer", ids)
        pending: list[Pending] = []
        with self._writing():
            for source_id, ref, plan, _amount in items:
                client = clients[source_id]
                if client.parent_client_id and client.parent_client_id not in parent_ids:
                    self._failed_code(
                        "customer",
                        source_id,
                        ref,
                        None,
                        "parent_client_not_synced",
                        client_id=source_id,
                        parent_id=client.parent_client_id,
                        parent_reason="it failed to sync in this run",
                    )
                    continue
                changed = list(plan.get("adjustments") or [])
                body = customer_payload(
                    client,
                    display=plan["display_name"],
                    parent_qbo_id=parent_ids.get(client.parent_client_id),
                    adjustments=changed,
                )
                p = Pending(source_id, ref, None, body, payload_hash(body), adjustments=changed)
                if changed_there.get(source_id) == "inactive":  # made inactive in QuickBooks: undo it
                    body["Active"] = True
                    p.extra["note"] = "made active again in QuickBooks (it had been made inactive there)"
                elif changed_there.get(source_id) == "renamed":  # the name the sync gives it goes back
                    p.extra["note"] = "its name put back in QuickBooks (it had been renamed there)"
                row = mapped.get(source_id)
                if row:
                    _, p.qbo_id, p.sync_token, old_hash = row
                    if old_hash == p.hash:
                        self._skipped_unchanged("customer", p, p.qbo_id)
                        continue
                    if not p.sync_token:  # linked, never written by us: read its version
                        p.sync_token = str(self.client.read("Customer", p.qbo_id).get("SyncToken"))
                elif plan.get("qbo_id"):
                    # An existing QuickBooks customer with exactly this name: link, don't copy.
                    self._done(
                        "customer",
                        p,
                        action="skip",
                        qbo_entity=None,
                        qbo_id=plan["qbo_id"],
                        note=f"linked to the existing QuickBooks customer {plan['qbo_id']}",
                    )
                    continue
                pending.append(p)
        retried = self._prior_attempts("customer", [p.source_id for p in pending if not p.qbo_id])
        if retried:
            found = self._find_customers([p for p in pending if p.source_id in retried])
            with self._writing():
                for p in [p for p in pending if p.source_id in found]:
                    self._done(
                        "customer",
                        p,
                        action="create",
                        qbo_entity=found[p.source_id],
                        note="already in QuickBooks from an earlier attempt; not re-sent",
                    )
            pending = [p for p in pending if p.source_id not in found]
        self._send("customer", "Customer", pending, self._find_customers)
        self._mark_done("customer", ids)

    def _find_customers(self, pending: list[Pending]) -> dict[int, dict[str, Any]]:
        names = {p.body["DisplayName"].lower(): p.source_id for p in pending}
        found: dict[int, dict[str, Any]] = {}
        chunk = list(names)
        for i in range(0, len(chunk), 50):
            literals = ", ".join(quote(n) for n in chunk[i : i + 50])
            for row in self.client.query(f"select * from Customer where DisplayName in ({literals})"):
                sid = names.get(str(row.get("DisplayName", "")).lower())
                if sid is not None:
                    found[sid] = row
        return found

    # ------------------------------------------------------------------ invoices
    def load_invoices(self, batch_no: int) -> None:
        items = self.conn.execute(
            load_sql("load/batch_items"),
            {"run_id": self.ctx.run_id, "tenant_id": self.tenant_id, "entity": "invoice", "batch_no": batch_no},
        ).fetchall()
        if not items:
            return
        ids = [r[0] for r in items]
        invoices = self._read_invoices(ids)
        settings = read.tenant_settings(self.conn, self.tenant_id)
        rates = read.tax_rates(self.conn, self.tenant_id)
        line_items = items_for_load(
            self.conn,
            self.client,
            tenant_id=self.tenant_id,
            realm_id=self.realm_id,
            settings=item_settings(self.conn, self.tenant_id),
            invoices=invoices.values(),
        )
        mapping = CompanyMapping(
            region=settings.region,
            service_item_id=settings.default_service_item_id,
            product_item_id=settings.default_product_item_id,
            tax_codes={rid: r.qbo_tax_code_id for rid, r in rates.items() if r.qbo_tax_code_id},
            no_tax_code=settings.no_tax_code_id,
            rates={rid: r.rate for rid, r in rates.items()},
            line_items=line_items.refs,
        )
        tracking = tracking_settings(self.conn, self.tenant_id)
        locations = invoice_locations(self.conn, ids) if tracking.links else {}
        customer_of = dict(
            self.conn.execute(
                load_sql("validate/entity_map_ids"),
                {
                    "tenant_id": self.tenant_id,
                    "entity": "customer",
                    "source_ids": sorted({i.client_id for i in invoices.values() if i.client_id}),
                },
            ).fetchall()
        )
        mapped = {
            r[0]: r
            for r in self.conn.execute(
                load_sql("load/entity_map_rows"), {"tenant_id": self.tenant_id, "entity": "invoice", "source_ids": ids}
            )
        }
        client_causes = dict(
            self.conn.execute(
                load_sql("load/run_customer_causes"), {"run_id": self.ctx.run_id, "tenant_id": self.tenant_id}
            ).fetchall()
        )
        changed_there = self._changed_in_quickbooks("invoice", ids)
        # Invoices in another currency than the home currency (validation planned their rate)
        # go to the client's customer in that currency: created here first when missing.
        plans = {sid: CurrencyPlan.from_json(plan) for sid, _, plan, _ in items}
        their = currency.currency_customers(
            self.conn,
            self.client,
            self.tenant_id,
            self.realm_id,
            settings,
            {(invoices[sid].client_id, p.currency) for sid, p in plans.items() if p and invoices[sid].client_id},
        )
        pending: list[Pending] = []
        with self._writing():
            for source_id, ref, _plan, _amount in items:
                inv = invoices[source_id]
                customer = customer_of.get(inv.client_id)
                plan = plans.get(source_id)
                if customer and plan:
                    customer = their.get((inv.client_id, plan.currency))
                    if isinstance(customer, currency.CustomerProblem):
                        self._currency_customer_failed(source_id, ref, inv, customer)
                        continue
                if not customer:
                    self._failed_code(
                        "invoice",
                        source_id,
                        ref,
                        inv.total,
                        "client_not_synced",
                        number=inv.number,
                        client_id=inv.client_id,
                        client_reason=client_causes.get(inv.client_id) or "it is not in QuickBooks",
                    )
                    continue
                if source_id in line_items.failed:  # its catalog item has no QuickBooks item (qbo_sync.items)
                    code, context = line_items.failed[source_id]
                    self._failed_code("invoice", source_id, ref, inv.total, code, number=inv.number, **context)
                    continue
                changed: list[str] = list(line_items.notes.get(source_id, []))
                body = invoice_payload(inv, customer_qbo_id=customer, mapping=mapping, adjustments=changed)
                apply_tracking(body, tracking.assign(locations.get(source_id)))  # classes and locations
                if plan:
                    with_currency(body, plan.currency, plan.exchange_rate)
                    currency.record_invoice(self.conn, self.tenant_id, source_id, plan, customer)
                p = Pending(source_id, ref, inv.total, body, payload_hash(body), adjustments=changed)
                if changed_there.get(source_id) == "edited":
                    p.extra["note"] = "the billing app's version put back over the change made in QuickBooks"
                row = mapped.get(source_id)
                if row:
                    _, p.qbo_id, p.sync_token, old_hash = row
                    if old_hash == p.hash:
                        self._skipped_unchanged("invoice", p, p.qbo_id)
                        continue
                pending.append(p)
        retried = self._prior_attempts("invoice", [p.source_id for p in pending if not p.qbo_id])
        if retried:
            found = self._find_invoices([p for p in pending if p.source_id in retried])
            with self._writing():
                for p in [p for p in pending if p.source_id in found]:
                    self._done(
                        "invoice",
                        p,
                        action="create",
                        qbo_entity=found[p.source_id],
                        note="already in QuickBooks from an earlier attempt; not re-sent",
                    )
            pending = [p for p in pending if p.source_id not in found]
        moves = InvoiceMoves(self)  # moved to another client: its payments first (load/moves.py)
        pending = moves.before_sending(pending)
        self._send("invoice", "Invoice", pending, self._find_invoices)
        moves.after_sending()
        self._mark_done("invoice", ids)

    def _currency_customer_failed(self, source_id: int, ref: str | None, inv: Invoice, problem: Any) -> None:
        if problem.fault is not None:
            self._failed_fault("invoice", Pending(source_id, ref, inv.total, {}, ""), problem.fault, "create")
        else:
            self._failed_code("invoice", source_id, ref, inv.total, problem.code, number=inv.number, **problem.context)

    def _find_invoices(self, pending: list[Pending]) -> dict[int, dict[str, Any]]:
        """Our invoices already in QuickBooks: same DocNumber AND our tag in PrivateNote."""
        by_number = self.lookups.doc_numbers("Invoice", [p.body.get("DocNumber") for p in pending])
        found = {}
        for p in pending:
            tag = private_note_tag("invoice", p.source_id)
            for row in by_number.get(str(p.body.get("DocNumber") or "").lower(), []):
                if tag in (row.get("PrivateNote") or ""):
                    found[p.source_id] = row
        return found

    def _read_invoices(self, ids: list[int]) -> dict[int, Invoice]:
        from collections import defaultdict

        lines: dict[int, list[InvoiceLine]] = defaultdict(list)
        for lr in self.conn.execute(load_sql("extract/read_invoice_lines"), {"invoice_ids": ids}):
            lines[lr[0]].append(InvoiceLine(*lr[1:]))
        return {
            r[0]: Invoice(*r[:13], lines=tuple(lines.get(r[0], ())))
            for r in self.conn.execute(load_sql("load/invoices_by_id"), {"ids": ids})
        }

    def _changed_in_quickbooks(self, entity: str, ids: list[int]) -> dict[int, str]:
        """Records of this batch with an open change made in QuickBooks (qbo_sync.changes)."""
        return dict(
            self.conn.execute(
                load_sql("changes/open_for"), {"tenant_id": self.tenant_id, "entity": entity, "source_ids": ids}
            ).fetchall()
        )

    def _mark_done(self, entity: str, ids: list[int]) -> None:
        self.conn.execute(
            load_sql("load/mark_done"),
            {"run_id": self.ctx.run_id, "tenant_id": self.tenant_id, "entity": entity, "source_ids": ids},
        )

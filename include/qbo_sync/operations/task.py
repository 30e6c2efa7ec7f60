"""What the qbo_resync DAG's tasks do, with Airflow's values passed in as plain ones."""

from __future__ import annotations

import logging
from typing import Any

import psycopg

from qbo_sync.operations import controls

log = logging.getLogger(__name__)


def requested_by(dag_run: Any) -> str:
    """Who asked: the Airflow user who triggered the run (UI, REST API or the page).

    Runs started without a user (``airflow dags test``, a scheduler) say so plainly."""
    user = getattr(dag_run, "triggering_user_name", None)
    if user:
        return str(user)
    run_type = getattr(dag_run, "run_type", None)
    return f"unknown user ({getattr(run_type, 'value', run_type) or 'no'} run without a user)"


def run_action(
    conn: psycopg.Connection,
    params: dict[str, Any],
    *,
    requested_by: str,
    dag_run_id: str | None,
    user: str | None = None,
    roles: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Apply the run's params. A refusal is a normal result (no stack trace in the log):
    the summary shows it and the ``action_refused`` task fails the run.

    ``user`` (the Airflow user who triggered the run) and ``roles`` (theirs, None when the run has
    no signed-in user: the deployment's own CLI, ``dag.test()``, another DAG): a user acts only on
    the tenants they are granted (``python -m qbo_sync.tenants access``), whether they use the
    sync page's buttons or trigger ``qbo_resync`` in Airflow directly."""
    base = {
        "action": params.get("action"),
        "tenant_id": params.get("tenant_id"),
        "requested_by": requested_by,
        "dag_run_id": dag_run_id,
    }
    if user and roles is not None:
        from qbo_sync.tenants.access import scope_of

        scope = scope_of(conn, user, roles)
        if not scope.allows(params.get("tenant_id")):
            refusal = (
                f"{user} may not act on tenant {params.get('tenant_id')}: no access has been granted. "
                + scope.how_to_grant
            )
            log.error("refused, nothing was changed: %s", refusal)
            return {**base, "refused": refusal, "changed": [], "unchanged": [], "needs_sync": False}
    try:
        result = controls.apply(
            conn,
            action=params.get("action") or "",
            tenant_id=int(params.get("tenant_id") or 0),
            entity=params.get("entity") or None,
            source_ids=params.get("source_ids") or [],
            requested_by=requested_by,
            dag_run_id=dag_run_id,
            note=params.get("note") or None,
        )
    except controls.ActionRefused as exc:
        log.error("refused, nothing was changed: %s", exc)
        return {**base, "refused": str(exc), "changed": [], "unchanged": [], "needs_sync": False}
    out = result.as_dict()
    log.info(
        "%s by %s: %s record(s) changed, %s unchanged (tenant %s)",
        result.action,
        requested_by,
        len(result.changed),
        len(result.unchanged),
        result.tenant_id,
    )
    return out


def summarize(result: dict[str, Any] | None, *, triggered_run_id: str | None, sync_now: bool) -> tuple[str, str | None]:
    """The closing block of the log, and the refusal (if any) that fails the run."""
    if result is None:
        refusal = (
            "apply_action did not finish (see its log); nothing is known to have "
            "changed. Trigger qbo_resync again once the cause is fixed."
        )
        return controls.render({"action": "?", "tenant_id": "?", "requested_by": "?"}, refused=refusal), refusal
    refusal = result.get("refused")
    text = controls.render(result, triggered_run_id=triggered_run_id, sync_now=sync_now, refused=refusal)
    return text, refusal

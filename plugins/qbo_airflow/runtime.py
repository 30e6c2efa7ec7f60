"""The Airflow side of a task: its run context, the project database and QuickBooks.

DAG files stay thin: a task body asks this module for what Airflow knows (run id,
map index, try number, data interval, connections) and hands plain values to the
Airflow-free library in ``include/qbo_sync``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

DB_CONN_ID = "qbo_sync_db"
QBO_CONN_ID = "quickbooks_default"
log = logging.getLogger(__name__)


def run_context(context: dict[str, Any] | None = None):
    from airflow.sdk import get_current_context

    from qbo_sync.outcomes import RunContext

    context = context or get_current_context()
    ti = context["ti"]
    map_index = getattr(ti, "map_index", None)
    return RunContext(
        dag_id=ti.dag_id,
        run_id=context["run_id"],
        task_id=ti.task_id,
        map_index=None if map_index is None or map_index < 0 else map_index,
        try_number=getattr(ti, "try_number", None),
    )


def label(text: str) -> None:
    """Names a mapped task instance in the UI (rendered by map_index_template)."""
    from airflow.sdk import get_current_context

    get_current_context()["map_label"] = text


def run_window(context: dict[str, Any] | None = None):
    """The data interval this run covers; manual runs without one cover up to now."""
    from airflow.sdk import get_current_context

    from qbo_sync.extract.records import RunWindow

    context = context or get_current_context()
    start = context.get("data_interval_start")
    end = context.get("data_interval_end")
    params = context.get("params") or {}
    full = bool(params.get("full_sync"))
    now = datetime.now(UTC)
    dag_run = context.get("dag_run")
    return RunWindow(
        run_id=context["run_id"],
        start=start or now,
        end=end or now,
        full_sync=full,
        backfill=_is_backfill(dag_run, context["run_id"]),
        run_clear=int(getattr(dag_run, "clear_number", 0) or 0),
    )


def _is_backfill(dag_run: Any, run_id: str) -> bool:
    run_type = getattr(dag_run, "run_type", None)
    return getattr(run_type, "value", run_type) == "backfill" or run_id.startswith("backfill__")


@contextlib.contextmanager
def database() -> Iterator[Any]:
    """A psycopg 3 connection to the project database (Airflow connection qbo_sync_db)."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    conn = PostgresHook(postgres_conn_id=DB_CONN_ID).get_conn()
    try:
        conn.autocommit = True
        yield conn
    finally:
        conn.close()


def failed_tasks(task_ids: tuple[str, ...], context: dict[str, Any] | None = None) -> list[str]:
    """Which of these tasks of the current run failed (retries spent), as Airflow knows it: a
    run's state follows its last tasks only, so the last task asks (Task SDK, no metadata DB)."""
    from airflow.sdk import get_current_context

    context = context or get_current_context()
    ti = context["ti"]
    states = ti.get_task_states(dag_id=ti.dag_id, task_ids=list(task_ids), run_ids=[context["run_id"]])
    failed = set()
    for by_task in states.values():
        for key, state in by_task.items():  # a mapped task instance is "<task_id>_<map_index>"
            if str(state) == "failed":
                base, _, index = key.rpartition("_")
                failed.add(key if key in task_ids or base not in task_ids else f"{base}[{index}]")
    return sorted(failed)


def raise_if_reconnect(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tenants whose QuickBooks connection was lost during this run fail their task without
    retries: retrying cannot help until a person reconnects them (every other tenant of the task
    has finished). A tenant already marked reconnect_required before the run only logs it: an
    earlier run reported it, and its held-back records wait (red means new)."""
    for r in results:
        if r.get("reconnect_required") and not r.get("reconnect_learnt"):
            log.warning(
                "tenant %s still must be reconnected to QuickBooks (python -m qbo_sync.companies authorize "
                "--tenant-id %s); its records wait, held back",
                r["tenant_id"],
                r["tenant_id"],
            )
    gone = [r for r in results if r.get("reconnect_learnt")]
    if gone:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(
            "; ".join(
                f"Tenant {r['tenant_id']} must be reconnected to QuickBooks: python -m qbo_sync.companies "
                f"authorize --tenant-id {r['tenant_id']}"
                for r in gone
            )
            + ". The sync log says so for each record held back; they resync by themselves after reconnecting."
        )
    return results


def raise_if_systemic(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tenants whose QuickBooks kept failing (after the client's own retries) fail the task so
    that Airflow retries it later; the retry resumes only those tenants. Their records already
    carry the explanation in the sync log."""
    failing = [r for r in results if r.get("systemic")]
    if failing:
        raise RuntimeError(
            "; ".join(
                f"tenant {r['tenant_id']}: QuickBooks kept failing ({r['systemic']}), {r.get('failed', 0)} "
                "record(s) wait"
                for r in failing
            )
            + ". Airflow retries this task for these tenants only; the others finished."
        )
    return results


def user_roles(user: str | None) -> tuple[str, ...] | None:
    """The Airflow roles of the user who triggered a run, for tenant access outside the page (a
    ``qbo_resync`` run triggered in Airflow directly); None when the run has no signed-in user
    (``airflow dags trigger`` on the deployment, ``dag.test()``): the deployment's own.

    Airflow's simple auth manager keeps users and roles in its settings (``[core]
    simple_auth_manager_users``, ``user:role`` pairs; ``simple_auth_manager_all_admins`` makes
    everyone admin). With another auth manager no role is known here, so only grants made to the
    user by name count (``python -m qbo_sync.tenants access grant --user NAME``)."""
    if not user:
        return None
    from airflow.configuration import conf

    manager = conf.get("core", "auth_manager", fallback="") or ""
    if "simple_auth_manager" not in manager.lower():
        return ()
    if conf.getboolean("core", "simple_auth_manager_all_admins", fallback=False):
        return ("admin",)
    pairs = [
        pair.split(":", 1) for pair in (conf.get("core", "simple_auth_manager_users", fallback="") or "").split(",")
    ]
    roles = [p[1].strip().lower() for p in pairs if len(p) == 2 and p[0].strip() == user and p[1].strip()]
    return tuple(sorted(set(roles))) if roles else None


def quickbooks(conn: Any):
    """A factory of QuickBooks clients per tenant, from the ``quickbooks_default``
    connection; tokens live (encrypted) in the project database behind ``conn``. Every client
    of the task process shares one rate-budget connection (the budget is per company in the
    database either way)."""
    from qbo_airflow.hooks.quickbooks_hook import QuickBooksHook
    from qbo_sync.companies.budget import shared_budget

    hook = QuickBooksHook(QBO_CONN_ID)

    def client(tenant_id: int):
        budget = shared_budget(conn, hook.get_app_settings().budget)
        return hook.get_client(tenant_id, conn, budget=budget)

    return client

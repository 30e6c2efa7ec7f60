"""Airflow's TriggerDagRunOperator, imported only when the task runs.

Its module pulls in Airflow's server-side models (~0.4 s), which made qbo_resync take
0.74 s to parse. Same arguments; ``execute`` builds the real operator and runs it, so the
trigger request it raises is handled by the task runner as usual.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator

# TriggerDagRunOperator's own keyword arguments, passed through untouched.
_TRIGGER_ONLY = {
    "wait_for_completion",
    "openlineage_inject_parent_info",
    "skip_when_already_exists",
    "reset_dag_run",
    "logical_date",
    "allowed_states",
    "failed_states",
    "poke_interval",
    "deferrable",
    "note",
    "fail_when_dag_is_paused",
    "run_after",
}


class LazyTriggerDagRunOperator(BaseOperator):
    template_fields = ("trigger_run_id", "conf")
    ui_color = "#ffefeb"  # TriggerDagRunOperator's

    def __init__(
        self, *, trigger_dag_id: str, trigger_run_id: str | None = None, conf: dict | None = None, **kwargs: Any
    ) -> None:
        own = {k: kwargs.pop(k) for k in list(kwargs) if k in _TRIGGER_ONLY}
        super().__init__(**kwargs)
        self.trigger_dag_id = trigger_dag_id
        self.trigger_run_id = trigger_run_id
        self.conf = conf
        self.trigger_kwargs = own

    def execute(self, context: Any) -> None:
        from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

        TriggerDagRunOperator(
            task_id=self.task_id,
            trigger_dag_id=self.trigger_dag_id,
            trigger_run_id=self.trigger_run_id,
            conf=self.conf,
            **self.trigger_kwargs,
        ).execute(context)

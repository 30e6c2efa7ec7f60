"""``python -m qbo_sync doctor [--tenant-id N]``: check a deployment end to end.

Deployment: the project database answers and has every migration, the Fernet key opens
every tenant's tokens, and the Airflow connections the DAGs use (``qbo_sync_db``,
``quickbooks_default``) exist where Airflow would look (the environment, then its
metadata database). Per tenant: its company answers, its settings match the company
(the comparison the sync makes before sending), every active tax rate is linked, and
the default items and deposit account exist and are active. Each problem is printed
with its fix; the exit code is 1 when there is one, 0 with one "all good" line per
tenant otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    where: str  # "deployment" or "tenant 1 (Harbour Physio)"
    what: str
    fix: str


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    good: list[str] = field(default_factory=list)  # one line per deployment part / tenant that passed

    def add(self, where: str, what: str, fix: str) -> None:
        self.problems.append(Problem(where, what, fix))

    def render(self) -> str:
        lines = [f"ok       {line}" for line in self.good]
        for p in self.problems:
            lines.append(f"PROBLEM  {p.where}: {p.what}")
            lines.append(f"  fix:   {p.fix}")
        count = len(self.problems)
        lines.append(f"doctor: {count} problem(s) found" if count else "doctor: all good")
        return "\n".join(lines)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

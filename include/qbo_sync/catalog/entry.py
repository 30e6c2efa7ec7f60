"""The one entry type of the catalog: what went wrong and what to do, for the finance team.

An entry explains either one of the sync's own codes (a check made before anything reaches
QuickBooks: ``entries_sync``) or one kind of QuickBooks fault, by the key ``qbo_client.codes``
gives it (``entries_quickbooks``). ``{placeholders}`` in the cause and fix are filled from the
record or the fault; one that is not given shows as ``<name>``, never as an error.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    key: str  # the sync's code, or the client's fault key
    title: str  # the error's name, as the help-centre pages we were built from call it
    category: str  # data | configuration | connection | transient (qbo_client.codes)
    cause: str
    fix: str
    status: str = "failed"  # 'skipped' for records that are deliberately not sent
    seeds: tuple[str, ...] = ()  # the seeds' names for this error (QuickBooks faults)

    def render(self, **context: object) -> tuple[str, str]:
        """Cause and fix with ``context`` filled in."""
        safe = _Defaulting(context)
        return self.cause.format_map(safe), self.fix.format_map(safe)


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"

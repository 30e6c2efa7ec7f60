"""A display-name template to suggest when a client's QuickBooks name is taken.

The fix of a name clash must be one that works when followed as written: the template it
suggests differs from the tenant's current one, renders this client's name differently,
and that name is free in QuickBooks (looked up, with every candidate of a chunk in one
set of queries). The default template ``'{name} ({tag})'`` is never suggested to a tenant
that already uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from qbo_sync.extract.records import Client
from qbo_sync.transform.customer import display_name

CHOICES = ("{name} ({tag})", "{name} (client {tag})", "{name} - client {tag}", "{name} (client {id})")


def candidates(client: Client, current: str, suffix: int | None = None) -> list[tuple[str, str]]:
    """(template, the name it gives this client) for every choice that changes the name."""
    now = display_name(client, current, suffix).lower()
    out = []
    for template in CHOICES:
        if template == current:
            continue
        name = display_name(client, template, suffix)
        if name.lower() != now:
            out.append((template, name))
    return out


def suggest(
    clients: Iterable[tuple[Client, int | None]], current: str, taken: Callable[[list[str]], set[str]]
) -> dict[int, str]:
    """Client id -> the first template whose name is free in QuickBooks (``taken`` answers
    which of the given names, lower-cased, QuickBooks already holds)."""
    options = {c.id: candidates(c, current, suffix) for c, suffix in clients}
    held = taken([name for opts in options.values() for _, name in opts]) if options else set()
    chosen = {}
    for client_id, opts in options.items():
        free = [template for template, name in opts if name.lower() not in held]
        chosen[client_id] = (free or [t for t, _ in opts] or [CHOICES[1]])[0]
    return chosen

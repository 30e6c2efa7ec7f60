"""``python -m qbo_sync doctor [--tenant-id N]``: check a deployment end to end.

The other commands live in their packages: ``python -m qbo_sync.companies``,
``python -m qbo_sync.tenants``, ``python -m qbo_sync.report``, ``python -m qbo_sync.db``.
"""

from __future__ import annotations

import sys

COMMANDS = {"doctor": "check the database, token key, Airflow connections and every tenant's company"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(
            "usage: python -m qbo_sync doctor [--tenant-id N] [--database-url URL]\n"
            + "\n".join(f"  {name:<8} {text}" for name, text in COMMANDS.items()),
            file=sys.stderr,
        )
        return 2
    from qbo_sync.doctor.cli import main as doctor

    return doctor(args[1:])


if __name__ == "__main__":
    sys.exit(main())

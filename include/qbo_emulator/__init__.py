"""A QuickBooks Online emulator (Accounting API v3 + OAuth 2.0), in memory, for tests and benchmarks.

Run it with ``python -m qbo_emulator``; use it in-process with :func:`qbo_emulator.app.create_app`,
or from tests with :class:`qbo_emulator.testing.EmulatorProcess`.
"""

from __future__ import annotations

from .config import EmulatorConfig

__all__ = ["EmulatorConfig", "create_app"]


def create_app(config: EmulatorConfig | None = None):
    from .app import create_app as _create_app

    return _create_app(config)

"""An emulator process with an app of its own, for fixtures that need their own clock or
options (the session one lives in tests/conftest.py)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def emulator_app(*options: str, prefix: str = "test") -> Iterator[Any]:
    from qbo_emulator.testing import EmulatorProcess

    client_id, client_secret = f"{prefix}-" + secrets.token_hex(4), secrets.token_urlsafe(16)
    # `--client-secret=...`: a URL-safe secret may start with "-", which argparse would
    # otherwise take for an option.
    with EmulatorProcess(
        "--no-limits", *options, f"--client-id={client_id}", f"--client-secret={client_secret}"
    ) as emu:
        emu.app_credentials = (client_id, client_secret)
        yield emu

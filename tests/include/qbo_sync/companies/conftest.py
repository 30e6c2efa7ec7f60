"""Company credentials tests: an emulator, a Fernet key, and tenants connected to companies."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def emu():
    from qbo_emulator.testing import EmulatorProcess

    with EmulatorProcess("--no-limits") as emulator:
        yield emulator


@pytest.fixture
def fernet_key(monkeypatch):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("QBO_SYNC_FERNET_KEY", key)
    return key

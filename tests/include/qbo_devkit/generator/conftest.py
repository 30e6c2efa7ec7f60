"""The demo generator's fixture: generate into the session database with test defaults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from demo_helpers import AS_OF

from qbo_devkit.generator import Manifest, generate


@pytest.fixture
def make(db) -> Callable[..., Manifest]:
    """Generate demo data (replacing what is there) with test defaults."""

    def run(**kwargs: Any) -> Manifest:
        params = {"seed": 42, "as_of": AS_OF, "replace": True, **kwargs}
        return generate(db, **params)

    return run

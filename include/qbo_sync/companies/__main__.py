"""``python -m qbo_sync.companies``: see ``cli.py``."""

from __future__ import annotations

import sys

from qbo_sync.companies.cli import main

if __name__ == "__main__":
    sys.exit(main())

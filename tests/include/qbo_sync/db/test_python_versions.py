"""`make venv` takes any Python from 3.11 to 3.14 (the embedded PostgreSQL no longer ties the
project to 3.11/3.12) and refuses another one with a message that says what to do.

The interpreters here are stand-ins: this Python, told to report another version, so the
Makefile's own selection and check run for real without installing other Pythons."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
MAKE = shutil.which("make")


def stand_in(bin_dir: Path, name: str, version: tuple[int, int, int]) -> Path:
    """An executable that answers `--version` and `-c CODE` as Python `version` would."""
    bin_dir.mkdir(exist_ok=True)
    dotted = ".".join(map(str, version))
    script = bin_dir / name
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "--version" ]; then echo "Python {dotted}"; exit 0; fi\n'
        f'if [ "$1" = "-c" ]; then CODE="$2" exec {sys.executable} -c '
        f"\"import os, sys; sys.version_info = {version + ('final', 0)!r}; exec(os.environ['CODE'])\"; fi\n"
        'echo "stand-in Python called with: $*" >&2; exit 99\n'
    )
    script.chmod(0o755)
    return script


def make(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    # Not the outer `make test`'s choices: MAKEFLAGS carries its command-line PYTHON=/VENV=.
    for name in ("PYTHON", "VENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    return subprocess.run(
        [MAKE, "-C", str(ROOT), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("version", [(3, 10, 13), (3, 15, 0)])
def test_make_venv_refuses_an_unsupported_python_and_says_what_to_do(tmp_path, version):
    python = stand_in(tmp_path / "bin", "python3", version)
    venv = tmp_path / "venv"

    done = make("venv", f"PYTHON={python}", f"VENV={os.path.relpath(venv, ROOT)}")

    assert done.returncode != 0
    assert "Python 3.11, 3.12, 3.13 or 3.14 is required" in done.stdout
    assert f"is Python {'.'.join(map(str, version))}" in done.stdout
    assert "make PYTHON=python3.13 venv" in done.stdout
    assert not venv.exists()  # refused before a venv was made, so the next try starts clean


def test_make_picks_python3_when_supported_else_the_newest_supported(tmp_path):
    bin_dir = tmp_path / "bin"
    stand_in(bin_dir, "python3", (3, 10, 13))
    stand_in(bin_dir, "python3.12", (3, 12, 1))
    newest = stand_in(bin_dir, "python3.13", (3, 13, 0))
    venv = os.path.relpath(tmp_path / "venv", ROOT)
    path = os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"])

    dry = make("-n", "venv", f"VENV={venv}", path=path)
    assert f"{newest} -m venv {venv}" in dry.stdout, dry.stdout + dry.stderr

    supported_default = stand_in(bin_dir, "python3", (3, 14, 0))
    dry = make("-n", "venv", f"VENV={venv}", path=path)
    assert f"{supported_default} -m venv {venv}" in dry.stdout, dry.stdout + dry.stderr

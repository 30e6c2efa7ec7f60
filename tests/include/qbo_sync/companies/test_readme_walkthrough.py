"""README "Connecting real companies": both walk-throughs run as written, against the
emulator, and print what the README says they print.

Each ``$`` line runs in one bash session (so exports and variables carry over), in the
repository root. Only two things are adapted: the emulator is this test's (its port
replaces 8765, so `make emulator` is not started again) and `make db` does not reinstall
the shared virtualenv (``-o .venv/.installed``). Every printed line the README shows must
appear in that command's output, numbers (realm ids, dates, Ids) being free; a command
whose shown output starts with ``error:`` must fail, every other must succeed.
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest

from support.rows import insert

ROOT = Path(__file__).resolve().parents[4]
MARK = re.compile(r"<!-- walkthrough: (\w+)")


def walkthroughs() -> dict[str, list[tuple[str, list[str]]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = {}
    for match in MARK.finditer(text):
        block = text[match.end() :].split("```", 2)[1]
        steps: list[tuple[str, list[str]]] = []
        for line in block.strip("\n").splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        found[match.group(1)] = steps
    return found


def pattern(line: str) -> re.Pattern[str]:
    parts = [re.sub(r"\d+", r"\\d+", re.escape(p)) for p in line.split("...")]
    return re.compile(".*".join(parts))


def run_steps(steps, emu, env) -> list[tuple[int, str]]:
    port = emu.base_url.rsplit(":", 1)[1].strip("/")
    script = ["cd " + str(ROOT)]
    for number, (command, _shown) in enumerate(steps):
        command = command.replace("localhost:8765", f"127.0.0.1:{port}")
        if command.startswith("make emulator"):
            command = "true"  # this test's emulator is already running
        command = command.replace("make db", "make -o .venv/.installed db")
        script += [f"echo '@@begin {number}'", f"{{ {command} ; }} 2>&1", f'echo "@@end {number} $?"']
    done = subprocess.run(["bash", "-c", "\n".join(script)], env=env, capture_output=True, text=True, timeout=600)
    results = []
    for number in range(len(steps)):
        chunk = done.stdout.split(f"@@begin {number}\n", 1)[1]
        output, rest = chunk.split(f"@@end {number} ", 1)
        results.append((int(rest.split("\n", 1)[0]), output))
    return results


@pytest.fixture
def billing(db, database_url, fernet_key, monkeypatch):
    insert(db, "billing.tenants", id=1, name="Harbour Physio")
    insert(db, "billing.tax_rates", id=1, tenant_id=1, name="GST", rate=D("0.1"))
    insert(db, "billing.tax_rates", id=2, tenant_id=1, name="GST free", rate=D("0"))
    insert(db, "billing.tenants", id=2, name="Austin Physio")
    insert(db, "billing.tax_rates", id=3, tenant_id=2, name="Sales tax", rate=D("0.0825"))
    db.commit()
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "QBO_CLIENT"))}
    env.update(QBO_SYNC_DATABASE_URL=database_url, QBO_SYNC_FERNET_KEY=fernet_key)
    return env


@pytest.mark.parametrize("name", ["au", "us"])
def test_the_walkthrough_runs_as_written(name, billing, emu):
    steps = walkthroughs()[name]
    assert any(c.startswith("python -m qbo_sync doctor") for c, _ in steps)
    assert not any(
        "--region" in c and "tenants set" in c and not shown[0].startswith("error:") for c, shown in steps if shown
    )  # the checklist never needs --region
    for (command, shown), (code, output) in zip(steps, run_steps(steps, emu, billing), strict=False):
        refused = bool(shown) and shown[0].startswith("error:")
        assert (code != 0) if refused else (code == 0), f"{command}\n{output}"
        lines = output.splitlines()
        for expected in shown:
            assert any(pattern(expected).fullmatch(line) for line in lines), (
                f"`{command}` did not print\n  {expected}\nit printed:\n{output}"
            )


def test_both_walkthroughs_are_there():
    found = walkthroughs()
    assert set(found) == {"au", "us"}
    assert any("--sync-from" in c for c, _ in found["au"])

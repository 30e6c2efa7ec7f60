"""``python -m qbo_devkit.generator generate`` end to end, in a subprocess, against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from demo_helpers import AS_OF, checksums

from qbo_devkit.generator import Manifest

ROOT = Path(__file__).resolve().parents[4]


def _cli(database_url: str, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "QBO_SYNC_DATABASE_URL": database_url,
        "QBO_SYNC_HOME": str(ROOT),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), os.environ.get("PYTHONPATH", "")]),
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "-m", "qbo_devkit.generator", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_generates_data_and_manifest(db, database_url, tmp_path):
    path = tmp_path / "out" / "manifest.json"
    args = [
        "generate",
        "--seed",
        "42",
        "--tenants",
        "3",
        "--invoices",
        "120",
        "--bad-cases",
        "all",
        "--as-of",
        "2025-06-01",
        "--chunk-size",
        "50",
        "--manifest",
        str(path),
    ]
    done = _cli(database_url, *args)
    assert done.returncode == 0, done.stderr
    assert "120/120 invoices" in done.stdout and f"manifest: {path}" in done.stdout
    data = json.loads(path.read_text())
    manifest = Manifest.from_dict(data)
    assert manifest.counts["invoices"] == 120 and manifest.seed == 42
    assert manifest.bad_records and {t["region"] for t in data["tenants"]} == {"AU", "UK", "US"}
    sums = checksums(db)
    assert sums["invoices"][0] == 120

    refused = _cli(database_url, *args)
    assert refused.returncode == 1
    assert "already has rows" in refused.stderr and "--replace" in refused.stderr
    assert checksums(db) == sums

    again = _cli(database_url, *args, "--replace")
    assert again.returncode == 0, again.stderr
    assert checksums(db) == sums  # same seed and as-of: the same data
    assert path.read_text() == json.dumps(data, indent=2, sort_keys=True) + "\n"


def test_another_process_writes_the_same_data_and_manifest(make, db, database_url, tmp_path):
    # In this process, then in a fresh one with other string hashes and chunks: any
    # dependence on set or dict order, on chunking or on process state would show here,
    # in the rows (every case switched on, five tenants) or in the manifest.
    manifest = make(tenants=5, invoices=900, bad_cases="all", chunk_size=5000)
    sums = checksums(db)
    assert not manifest.unplaced_cases and manifest.counts["invoices"] == 900
    path = tmp_path / "manifest.json"
    done = _cli(
        database_url,
        "generate",
        "--seed",
        "42",
        "--tenants",
        "5",
        "--invoices",
        "900",
        "--bad-cases",
        "all",
        "--as-of",
        AS_OF.isoformat(),
        "--chunk-size",
        "97",
        "--replace",
        "--manifest",
        str(path),
        PYTHONHASHSEED="20250601",
    )
    assert done.returncode == 0, done.stderr
    assert checksums(db) == sums
    assert path.read_text() == manifest.to_json()


def test_cli_rejects_unknown_cases(database_url, tmp_path):
    done = _cli(database_url, "generate", "--bad-cases", "no_line_items,bogus", "--manifest", str(tmp_path / "m.json"))
    assert done.returncode == 2 and "bogus" in done.stderr
    assert not (tmp_path / "m.json").exists()


def test_cli_lists_cases(database_url):
    done = _cli(database_url, "cases")
    assert done.returncode == 0 and "no_line_items" in done.stdout.split()

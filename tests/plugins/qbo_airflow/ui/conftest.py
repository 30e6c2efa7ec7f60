"""A real Airflow API server (SimpleAuthManager, this repo's plugins) on a free port, and a
headless Chromium driven by Selenium. Both stop at the end of the module."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[4]
# ops: a second user allowed to act (Airflow's Op role), for "another user's state".
# nobody: a user no tenant is granted to (the tenant access map).
USERS = {
    "admin": ("admin", "admin-pass-1"),
    "clerk": ("viewer", "clerk-pass-1"),
    "ops": ("op", "ops-pass-1"),
    "nobody": ("viewer", "nobody-pass-1"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AirflowServer:
    def __init__(self, url: str, env: dict[str, str], log: Path):
        self.url, self.env, self.log = url, env, log

    def token(self, user: str) -> str:
        response = requests.post(
            f"{self.url}/auth/token", timeout=30, json={"username": user, "password": USERS[user][1]}
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def airflow(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def airflow_server(tmp_path_factory, database_url, qbo_emulator):
    from cryptography.fernet import Fernet

    from qbo_sync.db.connection import airflow_connection_json

    home = tmp_path_factory.mktemp("airflow-ui")
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({u: p for u, (_, p) in USERS.items()}))
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AIRFLOW__") and k not in ("AIRFLOW_HOME", "AIRFLOW_CONN_QBO_SYNC_DB")
    }
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, (r, _) in USERS.items()),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__API_AUTH__JWT_SECRET": "qbo-sync-ui-test-secret-0123456789abcdef",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW_CONN_QBO_SYNC_DB": airflow_connection_json(database_url),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), str(ROOT / "plugins")]),
            "QBO_SYNC_HOME": str(ROOT),
            "GX_ANALYTICS_ENABLED": "False",
            # The Connect button: the QuickBooks app (the session emulator's), the token key, and
            # no QBO_SYNC_OAUTH_REDIRECT_URI, so the callback URL comes from [api] base_url above.
            "AIRFLOW_CONN_QUICKBOOKS_DEFAULT": json.dumps(
                {
                    "conn_type": "quickbooks",
                    "login": qbo_emulator.app_credentials[0],
                    "password": qbo_emulator.app_credentials[1],
                    "extra": {
                        "environment": "custom",
                        "api_base_url": qbo_emulator.base_url,
                        "discovery_url": qbo_emulator.sandbox_discovery_url,
                        "requests_per_minute": 100000,
                        "batches_per_minute": 100000,
                    },
                }
            ),
            "QBO_SYNC_FERNET_KEY": Fernet.generate_key().decode(),
        }
    )
    env.pop("QBO_SYNC_OAUTH_REDIRECT_URI", None)
    # Registered in the app's settings, as QuickBooks requires for the authorize redirect.
    qbo_emulator.register_redirect_uri(
        qbo_emulator.app_credentials[0], f"http://127.0.0.1:{port}/qbo-sync/connect/callback"
    )
    log = home / "api-server.log"
    server = AirflowServer(f"http://127.0.0.1:{port}", env, log)
    for step in (["db", "migrate"], ["dags", "reserialize"]):
        done = server.airflow(*step)
        assert done.returncode == 0, f"airflow {' '.join(step)}: {done.stderr[-3000:]}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "airflow",
                "api-server",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
                "--workers",
                "1",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{server.url}/api/v2/monitor/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, f"api-server exited: {log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"api-server not up in 90 s: {log.read_text()[-3000:]}"
            time.sleep(0.5)
        yield server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def png_colours():
    return _png_colours


def _png_colours(data: bytes) -> int:
    """How many distinct colours a PNG screenshot has (8-bit RGB/RGBA, as Chromium writes
    them), decoded with the standard library: a blank page has a handful."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour_type in (2, 6), f"unexpected PNG type {depth}/{colour_type}"
            bpp = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the scanline filter (PNG spec, section 9)
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - bpp] if i >= bpp else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        colours.update(bytes(line[x : x + 3]) for x in range(0, stride, bpp))
        previous = line
    return len(colours)

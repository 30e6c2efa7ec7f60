"""``make airflow``: ``airflow standalone`` wired to the project's databases and, unless a
real QuickBooks is configured, to a fresh QuickBooks emulator set up like the demo's.

The emulator keeps its companies in memory, so the demo tenants are connected to new
emulator companies each time (their earlier sync state is reset): trigger ``qbo_sync``
with ``{"full_sync": true}`` to sync the demo data again from the UI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from qbo_devkit import env as devenv
from qbo_sync.db.connection import connect
from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.settings import local_dir


def main() -> int:
    try:
        base_env = devenv.prepare()
    except devenv.SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    os.environ.update({k: base_env[k] for k in ("QBO_SYNC_DATABASE_URL", "QBO_SYNC_FERNET_KEY")})
    with devenv.quickbooks(base_env) as (run_env, emulator):
        manifest_path = local_dir() / "demo-manifest.json"
        if emulator is not None and manifest_path.exists():
            from qbo_devkit.demo import setup_tenants
            from qbo_devkit.generator.manifest import Manifest

            os.environ["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"] = run_env["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"]
            app = json.loads(run_env["AIRFLOW_CONN_QUICKBOOKS_DEFAULT"])
            with connect(run_env["QBO_SYNC_DATABASE_URL"]) as conn:
                conn.execute(load_sql("devkit/local/reset_connections"))
                conn.commit()
                setup_tenants(conn, emulator, Manifest.read(manifest_path), (app["login"], app["password"]))
            print(
                "demo tenants connected to the emulator; trigger qbo_sync with "
                '{"full_sync": true} to sync the demo data'
            )
        elif emulator is not None:
            print("no demo data yet: run `make demo` first to have tenants to sync")
        home = run_env["AIRFLOW_HOME"]
        print(
            f"Airflow UI: http://localhost:8080 - user admin, password in "
            f"{home}/simple_auth_manager_passwords.json.generated (also printed below)"
        )
        try:
            return subprocess.run([sys.executable, "-m", "airflow", "standalone"], env=run_env, check=False).returncode
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())

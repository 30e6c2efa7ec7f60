"""The roles of the user who triggered a run, from Airflow's simple auth manager settings."""

from __future__ import annotations

from qbo_airflow.runtime import user_roles

SIMPLE = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


def test_roles_come_from_the_simple_auth_managers_users(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER", SIMPLE)
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin, clerk:Viewer,ops:op")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "False")
    assert user_roles("clerk") == ("viewer",)
    assert user_roles("ops") == ("op",)
    # Not a user of the auth manager (the CLI's, dag.test()'s): no signed-in user.
    assert user_roles("stranger") is None and user_roles(None) is None
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True")
    assert user_roles("stranger") == ("admin",)


def test_another_auth_manager_leaves_grants_by_user_name_only(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW__CORE__AUTH_MANAGER", "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
    )
    assert user_roles("clerk") == ()

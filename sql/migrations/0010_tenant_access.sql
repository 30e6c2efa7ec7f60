-- Which tenants an Airflow user, or everyone with an Airflow role, may see and act on in the
-- QuickBooks sync page (page, CSV, buttons, Connect) and its alert links. tenant_id NULL:
-- every tenant. Users with Airflow's Admin role see every tenant without a row here.
-- Administered with `python -m qbo_sync.tenants access grant|revoke|list` (docs/operations.md).
CREATE TABLE qbo_sync.tenant_access (
    principal_kind text NOT NULL CHECK (principal_kind IN ('user', 'role')),
    principal      text NOT NULL CHECK (principal <> ''),  -- a user name, or a role name in lower case
    tenant_id      bigint,                                  -- NULL: every tenant
    granted_by     text NOT NULL,
    granted_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenant_access_unique
    ON qbo_sync.tenant_access (principal_kind, principal, coalesce(tenant_id, -1));

"""The exceptions a caller of the client can meet. None of them ever carries a token or
the client secret: messages are built from realm ids, codes and our own sentences."""

from __future__ import annotations

from qbo_client.faults import QboFault


class QboError(Exception):
    """Base of every error raised by qbo_client."""


class ConfigurationError(QboError):
    """The client was set up wrongly (missing credentials, bad environment, bad requestid)."""


class QboFaultError(QboError):
    """QuickBooks refused the request and retrying it unchanged will not help (or the
    retries for a transient fault ran out: then ``fault.category == 'transient'``)."""

    def __init__(self, fault: QboFault, realm_id: str | None = None) -> None:
        self.fault = fault
        self.realm_id = realm_id
        super().__init__(f"realm {realm_id}: {fault.summary()}" if realm_id else fault.summary())

    @property
    def category(self) -> str:
        return self.fault.category


class ReadsBlocked(QboFaultError):
    """QuickBooks blocked this app's metered reads (CorePlus calls: reads, queries, reports,
    CDC) until the next month (UTC): the app used its monthly allowance under Intuit's App
    Partner Program. Retrying cannot help before the month ends; writes still go. The client
    refuses later reads itself, without calling QuickBooks."""


class TransientError(QboFaultError):
    """QuickBooks (or the network) kept failing in a way that usually passes; the client
    gave up after its configured tries. Nothing was written, or the call was a read."""


class InvalidGrant(QboError):
    """The token endpoint answered ``invalid_grant`` (raised by OAuthApp; token stores turn
    it into :class:`ReconnectRequired` after marking the company)."""

    def __init__(self, description: str = "") -> None:
        self.description = description
        super().__init__(
            "QuickBooks refused the refresh token (invalid_grant)" + (f": {description}" if description else "")
        )


class ReconnectRequired(QboError):
    """This company's connection is gone (refresh token revoked or expired): a person has
    to reconnect it. Only this tenant is affected; other tenants carry on."""

    def __init__(self, realm_id: str | None, reason: str, tenant_id: object | None = None) -> None:
        self.realm_id = realm_id
        self.tenant_id = tenant_id
        self.reason = reason
        who = f"tenant {tenant_id} (realm {realm_id})" if tenant_id is not None else f"realm {realm_id}"
        super().__init__(f"{who} must be reconnected to QuickBooks: {reason}")

    @property
    def fault(self) -> QboFault:
        return QboFault("invalid_grant", "invalid_grant", self.reason, "", 400, "oauth")


class OutcomeUnknown(QboError):
    """A write was sent but we cannot tell whether QuickBooks applied it (timeout, reset,
    connection dropped after sending, empty or HTML answer), and replaying it with the same
    requestid did not settle it. Do NOT post it again blindly: look the record up first
    (by DocNumber, or the tag in PrivateNote), then post only if it is not there."""

    def __init__(
        self,
        realm_id: str,
        operation: str,
        entity_name: str | None,
        requestid: str | None,
        attempts: int,
        last_problem: str,
    ) -> None:
        self.realm_id = realm_id
        self.operation = operation
        self.entity_name = entity_name
        self.requestid = requestid
        self.attempts = attempts
        self.last_problem = last_problem
        super().__init__(
            f"realm {realm_id}: outcome of {operation} {entity_name or ''} unknown after {attempts} "
            f"attempt(s) with requestid {requestid} ({last_problem}); look the record up in QuickBooks "
            "before posting it again"
        )

    @property
    def fault(self) -> QboFault:
        return QboFault("outcome_unknown", self.last_problem, "", "", None, "client", self.entity_name)


class CdcWindowTooDense(QboError):
    """More than the CDC cap changed within a window that cannot be narrowed further
    (one second of QuickBooks time): use paged queries on MetaData.LastUpdatedTime."""

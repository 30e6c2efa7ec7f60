"""Alerts after a qbo_sync or qbo_reconcile run: one e-mail and/or one JSON webhook per tenant
with something new to fix - records that failed for the first time (each with its cause and
fix), a QuickBooks connection newly lost, reads newly blocked, books that differ from QuickBooks
with nothing to explain it. Red means new: a record still failing for the cause an earlier alert
gave is not alerted again (the alert counts it), nor an old reconnect
(``qbo_sync.report.verdict``); an unexplained difference alerts once, in the first run that
finds it (``qbo_sync.reconciliation_alerts``), not again while it stays the same. Nothing for a
run with nothing new; never twice for the same run, tenant and channel (``qbo_sync.alerts_sent``).

Configuration (all optional; an unconfigured channel is simply not used):

| setting | meaning |
| --- | --- |
| ``QBO_SYNC_ALERT_EMAIL_TO`` | comma-separated recipients; no recipients, no e-mail |
| ``QBO_SYNC_ALERT_EMAIL_FROM`` | sender (else the SMTP connection's ``from_email`` extra) |
| ``QBO_SYNC_ALERT_SMTP_CONN_ID`` | Airflow SMTP connection, default ``smtp_default`` |
| ``QBO_SYNC_ALERT_WEBHOOK_CONN_ID`` | Airflow connection of the webhook, default ``qbo_sync_alert_webhook``: ``host`` is the full URL, ``password`` (optional) is sent as a Bearer token, ``extra.headers`` adds headers |
| ``QBO_SYNC_ALERT_WEBHOOK_URL`` | a webhook URL without credentials, instead of the connection |
| ``QBO_SYNC_UI_URL`` | the "QuickBooks sync" page's address; each alert links the tenant's own view of it (``?tenant_id=N``), which shows only to users granted that tenant |

Call ``send_run_alerts(conn, run_id)`` at the end of a run (the report task does).
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

from qbo_sync.db.sqlfiles import load_sql
from qbo_sync.report import summary, verdict

log = logging.getLogger(__name__)

EMAIL, WEBHOOK = "email", "webhook"


class AlertDeliveryError(RuntimeError):
    """Some alerts could not be delivered; the others were. Retrying sends only the missing."""


@dataclass(frozen=True)
class TenantAlert:
    run_id: str
    tenant_id: int
    tenant_name: str
    failures: list[dict[str, Any]]  # record-level failures, with cause and fix
    reconnect_fix: str | None  # set when the company must be reconnected
    page_url: str | None = None
    waiting: int = 0  # records still failing for a cause an earlier alert gave: counted, not listed
    waiting_since: str | None = None  # the day the oldest of them first failed so (YYYY-MM-DD)
    differences: tuple[Any, ...] = ()  # unexplained differences not alerted before (reconcile.store)

    @property
    def unread(self) -> list[dict[str, Any]]:
        """Records waiting because QuickBooks blocks the app's reads for the month: said once."""
        return [f for f in self.failures if f["code"] == "reads_blocked" and f["category"] != "connection"]

    @property
    def subject(self) -> str:
        who = f"{self.tenant_name} (tenant {self.tenant_id})" if self.tenant_name else f"tenant {self.tenant_id}"
        parts = []
        data = [f for f in self.failures if f["category"] != "connection" and f["code"] != "reads_blocked"]
        if data:
            parts.append(f"{len(data)} record(s) failed")
        if self.unread:
            parts.append("QuickBooks blocks its reads this month")
        if self.reconnect_fix:
            parts.append("QuickBooks must be reconnected")
        if self.differences:
            parts.append(f"{len(self.differences)} unexplained difference(s) between QuickBooks and the app")
        return header_text(f"QuickBooks sync: {' and '.join(parts)} for {who}")

    def payload(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            return str(value) if isinstance(value, Decimal) else value

        return {
            "event": "qbo_sync.run_alert",
            "run_id": self.run_id,
            "tenant_id": self.tenant_id,
            "tenant_name": self.tenant_name,
            "subject": self.subject,
            "failed": len(self.failures),
            "reconnect_required": bool(self.reconnect_fix),
            "reconnect_fix": self.reconnect_fix,
            "page_url": self.page_url,
            "still_waiting": self.waiting,
            "waiting_since": self.waiting_since,
            "failures": [
                {
                    k: plain(f.get(k))
                    for k in ("entity", "source_id", "ref", "client", "amount", "code", "category", "cause", "fix")
                }
                for f in self.failures
            ],
            "differences": [
                {
                    "entity": d.entity,
                    "source_id": d.source_id,
                    "ref": d.ref,
                    "qbo_id": d.qbo_id,
                    "fields": d.fields,
                    "app_value": d.app_value,
                    "qbo_value": d.qbo_value,
                    "explanation": d.explanation,
                }
                for d in self.differences
            ],
        }

    def html(self) -> str:
        e = html.escape
        out = [f"<h2>{e(self.subject)}</h2>", f"<p>qbo_sync run <code>{e(self.run_id)}</code>.</p>"]
        if self.reconnect_fix:
            out.append(f"<p><b>Reconnect QuickBooks:</b> {e(self.reconnect_fix)}</p>")
        unread = self.unread
        if unread:
            out.append(
                f"<p><b>QuickBooks blocks this app's reads:</b> {len(unread)} record(s) wait. "
                f"{e(unread[0]['cause'] or '')} {e(unread[0]['fix'] or '')}</p>"
            )
        rows = [f for f in self.failures if f["category"] != "connection" and f["code"] != "reads_blocked"]
        if rows:
            out.append(
                "<table border='1' cellpadding='4' cellspacing='0'><tr><th>record</th>"
                "<th>client</th><th>amount</th><th>cause</th><th>fix</th></tr>"
            )
            for f in rows:
                amount = "" if f.get("amount") is None else f"{f['amount']:,.2f}"
                out.append(
                    f"<tr><td>{e(f['entity'])} {e(str(f['ref']))}</td><td>{e(f.get('client') or '')}"
                    f"</td><td align='right'>{amount}</td><td>{e(f['cause'] or '')}</td>"
                    f"<td>{e(f['fix'] or '')}</td></tr>"
                )
            out.append("</table>")
        if self.differences:
            out.append(
                "<p><b>QuickBooks and the app differ, and nothing in the sync log explains it:</b></p>"
                "<table border='1' cellpadding='4' cellspacing='0'><tr><th>record</th><th>QuickBooks</th>"
                "<th>app</th></tr>"
            )
            for d in self.differences:
                out.append(
                    f"<tr><td>{e(d.entity)} {e(str(d.ref))}</td><td>{e(d.qbo_value)}</td><td>{e(d.app_value)}</td></tr>"
                )
            out.append(f"</table><p>{e(self.differences[0].explanation)}</p>")
        held = len(self.failures) - len(rows) - len(unread)
        if held:
            out.append(f"<p>{held} record(s) are held back until the company is reconnected.</p>")
        if self.waiting:
            out.append(
                f"<p>{e(waiting_words(self.waiting, self.waiting_since))}: alerted before for the same cause, "
                "they are not listed again (the page lists them).</p>"
            )
        if self.page_url:
            out.append(
                f"<p>Open the <a href='{e(self.page_url)}'>QuickBooks sync page</a> to "
                "resync or exclude records once fixed.</p>"
            )
        else:
            out.append(
                "<p>Once fixed, resync the records from the QuickBooks sync page or the "
                "qbo_resync DAG, or wait for the next run.</p>"
            )
        return "\n".join(out)


# C0 and C1 controls (CR, LF, TAB, ESC, NEL...) and Unicode's line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """One line fit for a mail header: control characters become a space, so a tenant name
    or run id holding CR/LF can neither add headers nor break the message."""
    return " ".join(_CONTROL.sub(" ", value).split())


@dataclass(frozen=True)
class SentAlert:
    tenant_id: int
    channel: str
    destination: str  # addresses, or the webhook's scheme and host: never a secret
    failed: int
    reconnect: bool


def build_alerts(conn: Any, run_id: str) -> list[TenantAlert]:
    """What needs saying about one run: a TenantAlert per tenant with something new to fix."""
    tenants = {row[0]: row for row in conn.execute(load_sql("operations/tenants_overview"))}
    names = {tid: row[1] for tid, row in tenants.items()}
    reports = summary.build(conn, run_id, names)
    judged = verdict.evaluate(conn, run_id)
    summary.mark(reports, judged)
    from qbo_sync.reconcile.store import run_results

    reconciled = run_results(conn, run_id)
    page = os.environ.get("QBO_SYNC_UI_URL") or None
    alerts = []
    for (tenant_id,) in conn.execute(load_sql("operations/run_tenants"), {"run_id": run_id}).fetchall():
        report = reports.get(tenant_id) or summary.TenantReport(tenant_id, names.get(tenant_id, ""))
        tenant = judged.tenants.get(tenant_id) or verdict.TenantVerdict(tenant_id)
        news = {f.kind for f in tenant.new_faults}
        failures = [f for f in report.failures if _news(f, news)]
        status = tenants.get(tenant_id, (None,) * 4)[3]
        reconnect = report.connection_problem
        if reconnect is None and status == "reconnect_required":
            from qbo_sync.catalog import explain

            reconnect = explain("reconnect_required", tenant_id=tenant_id)[2]
        if verdict.RECONNECT not in news:
            reconnect = None  # an earlier run's alert said so already
        rec = reconciled.get(tenant_id)
        new = tuple(d for d in rec.unexplained if not d.alerted_before) if rec else ()
        if not failures and not reconnect and not new:
            continue  # nothing new: a clean run, or only records an earlier alert listed
        waiting = tenant.waiting
        since = min((f.since for f in waiting), default=None)
        alerts.append(
            TenantAlert(
                run_id,
                tenant_id,
                report.tenant_name,
                failures,
                reconnect,
                tenant_page(page, tenant_id),
                len(waiting),
                verdict.day(since) or None,
                new,
            )
        )
    return alerts


def _news(failure: dict[str, Any], new_faults: set[str]) -> bool:
    """A failure to list: new, or held back by a fault that is news in this run."""
    if failure["category"] == "connection":
        return verdict.RECONNECT in new_faults
    if failure["code"] == verdict.READS_BLOCKED:
        return verdict.READS_BLOCKED in new_faults
    return failure.get("new", True)


def waiting_words(count: int, since: str | None) -> str:
    return f"{count:,} other record(s) still wait for finance" + (f" (since {since})" if since else "")


def tenant_page(page: str | None, tenant_id: int) -> str | None:
    """The tenant's own view of the sync page: whoever opens the link sees it only if the
    tenant is granted to them (qbo_sync.tenants.access), like any other visit."""
    if not page:
        return None
    return f"{page}{'&' if '?' in page else '?'}{urlencode({'tenant_id': tenant_id})}"


def send_run_alerts(
    conn: Any, run_id: str, *, senders: dict[str, Callable[[TenantAlert], str]] | None = None
) -> list[SentAlert]:
    """Send each tenant's alert of ``run_id`` on every configured channel, once.

    Returns what this call sent (empty for a clean run or when already sent). Raises
    AlertDeliveryError after trying everything if a channel failed; a retry sends the rest."""
    senders = configured_senders() if senders is None else senders
    alerts = build_alerts(conn, run_id)
    if not senders:
        if alerts:
            log.warning(
                "%s tenant(s) have problems in run %s, but no alert channel is configured "
                "(QBO_SYNC_ALERT_EMAIL_TO, qbo_sync_alert_webhook)",
                len(alerts),
                run_id,
            )
        return []
    sent: list[SentAlert] = []
    errors: list[str] = []
    for alert in alerts:
        failed_before = len(errors)
        for channel, send in senders.items():
            try:
                with conn.transaction():
                    claimed = conn.execute(
                        load_sql("operations/claim_alert"),
                        {
                            "run_id": run_id,
                            "tenant_id": alert.tenant_id,
                            "channel": channel,
                            "failed": len(alert.failures),
                            "reconnect": bool(alert.reconnect_fix),
                            "destination": "(sending)",
                        },
                    ).fetchone()
                    if claimed is None:
                        log.info("tenant %s: %s alert for run %s was already sent", alert.tenant_id, channel, run_id)
                        continue
                    destination = send(alert)
                    conn.execute(
                        load_sql("operations/set_alert_destination"),
                        {
                            "run_id": run_id,
                            "tenant_id": alert.tenant_id,
                            "channel": channel,
                            "destination": destination,
                        },
                    )
            except Exception as exc:  # noqa: BLE001 - one channel's failure must not stop the others
                # The message names the channel and tenant, never the URL or credentials.
                errors.append(f"tenant {alert.tenant_id} {channel}: {type(exc).__name__}: {str(exc)[:300]}")
                continue
            sent.append(
                SentAlert(alert.tenant_id, channel, destination, len(alert.failures), bool(alert.reconnect_fix))
            )
            log.info(
                "tenant %s: %s alert sent to %s (%s failure(s)%s)",
                alert.tenant_id,
                channel,
                destination,
                len(alert.failures),
                ", reconnect" if alert.reconnect_fix else "",
            )
        if alert.differences and len(errors) == failed_before:  # told on every channel: once is enough
            from qbo_sync.reconcile.store import remember_alerted

            remember_alerted(conn, run_id, alert.tenant_id)
    if errors:
        raise AlertDeliveryError("alerts not delivered: " + "; ".join(errors))
    return sent


# --- channels --------------------------------------------------------------------------


def configured_senders() -> dict[str, Callable[[TenantAlert], str]]:
    senders: dict[str, Callable[[TenantAlert], str]] = {}
    recipients = [a.strip() for a in os.environ.get("QBO_SYNC_ALERT_EMAIL_TO", "").split(",") if a.strip()]
    if recipients:
        senders[EMAIL] = email_sender(
            recipients,
            os.environ.get("QBO_SYNC_ALERT_SMTP_CONN_ID", "smtp_default"),
            os.environ.get("QBO_SYNC_ALERT_EMAIL_FROM") or None,
        )
    webhook = _webhook_target()
    if webhook:
        senders[WEBHOOK] = webhook_sender(*webhook)
    return senders


def email_sender(recipients: list[str], smtp_conn_id: str, from_email: str | None) -> Callable[[TenantAlert], str]:
    def send(alert: TenantAlert) -> str:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=smtp_conn_id) as hook:
            hook.send_email_smtp(
                to=recipients,
                subject=alert.subject,
                html_content=alert.html(),
                from_email=from_email or hook.from_email,
                custom_headers={"X-QBO-Sync-Run": header_text(alert.run_id)},
            )
        return ", ".join(recipients)

    return send


def _webhook_target() -> tuple[str, dict[str, str]] | None:
    url = os.environ.get("QBO_SYNC_ALERT_WEBHOOK_URL")
    if url:
        return url, {}
    conn_id = os.environ.get("QBO_SYNC_ALERT_WEBHOOK_CONN_ID", "qbo_sync_alert_webhook")
    try:
        from airflow.sdk import BaseHook
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:  # pragma: no cover - Airflow is always installed with this plugin
        return None
    try:
        c = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None
    target = c.host or ""
    if "://" not in target:
        scheme = c.schema or "https"
        target = f"{scheme}://{target}{':' + str(c.port) if c.port else ''}"
    headers = dict((c.extra_dejson or {}).get("headers") or {})
    if c.password:
        headers["Authorization"] = f"Bearer {c.password}"
    return target, headers


def webhook_sender(url: str, headers: dict[str, str]) -> Callable[[TenantAlert], str]:
    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"

    def send(alert: TenantAlert) -> str:
        import requests

        try:
            # Never follow a redirect: a 307/308 would re-send the payload and the secret
            # headers to wherever it points, a 302/303 would turn into a body-less GET.
            response = requests.post(
                url,
                data=json.dumps(alert.payload()),
                headers={"Content-Type": "application/json", "X-QBO-Sync-Run": header_text(alert.run_id), **headers},
                timeout=15,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            # requests' messages quote the full URL, whose path may hold a token.
            raise RuntimeError(f"webhook at {shown} unreachable ({type(exc).__name__})") from None
        if 300 <= response.status_code < 400:
            raise RuntimeError(
                f"webhook at {shown} answered HTTP {response.status_code} (a redirect): nothing was "
                "delivered and the redirect was not followed, so the alert and its credentials went "
                "nowhere else. Set the webhook URL to the final address the receiver gives"
            )
        if response.status_code >= 300:
            # Say what came back, not where it went: the URL path may hold a token.
            raise RuntimeError(f"webhook at {shown} answered HTTP {response.status_code}")
        return shown

    return send

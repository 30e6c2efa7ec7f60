"""All emulator state, in memory: apps, companies (realms), their records, tokens, faults.

A company's records are plain dicts shaped like QuickBooks' JSON. Keys starting with an
underscore are the emulator's own bookkeeping (precise change time, voided flag, amount
applied) and are never sent to clients.
"""

from __future__ import annotations

import itertools
import random
import secrets
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .config import EmulatorConfig
from .util import Clock, format_time

NAME_ENTITIES = ("Customer", "Vendor", "Employee")
LIST_ENTITIES = (
    "Customer",
    "Vendor",
    "Employee",
    "Item",
    "Account",
    "TaxCode",
    "TaxRate",
    "PaymentMethod",
    "Term",
    "Class",
    "Department",
)
TXN_ENTITIES = ("Invoice", "CreditMemo", "Payment", "RefundReceipt", "Purchase")
ALL_ENTITIES = LIST_ENTITIES + TXN_ENTITIES

REGIONS = {
    # region: (country code in CompanyInfo, currency, UTC offset used for times)
    "US": ("US", "USD", -8),
    "AU": ("AU", "AUD", 10),
    "UK": ("GB", "GBP", 0),
}

DEFAULT_PREFERENCES = {
    "custom_txn_numbers": True,
    "duplicate_doc_number_warning": True,
    "closed_books_date": None,
    # US only: automated sales tax (companies created since Nov 2017); false = the older
    # manual model where the TxnTaxCodeRef sent is used (Intuit's API reference, AST section).
    "automated_sales_tax": True,
    # Preferences.SalesFormsPrefs.ApplyTaxAfterDiscount (see tax.py); the emulator's default
    # (true) is its own choice: QuickBooks' default for a new company is unconfirmed.
    "apply_tax_after_discount": True,
    "default_terms": None,  # a term's Name (terms.py): Preferences.SalesFormsPrefs.DefaultTerms
    # Preferences.CurrencyPrefs.MultiCurrencyEnabled: off by default; turned on only in the
    # QuickBooks UI, never through the API, and never off again (Intuit's multicurrency guide).
    # The control API is that UI here: it may turn it on, and refuses to turn it off.
    "multicurrency": False,
    # Settings > Account and settings > Advanced > Categories, as a user sets them (Plus and up):
    # "Track classes" off, or on with "Assign classes" one to each row of a transaction
    # (per_line: AccountingInfoPrefs.ClassTrackingPerTxnLine) or one to the entire transaction
    # (per_transaction: ClassTrackingPerTxn); "Track locations" (TrackDepartments) with its
    # "Location label" (DepartmentTerminology). Off in a new company. See entities/preferences.py.
    "class_tracking": "off",
    "track_locations": False,
    "location_terminology": "Location",
}


@dataclass
class App:
    client_id: str
    client_secret: str
    # The "Redirect URIs" of the app's Keys & OAuth settings: authorize answers only these,
    # compared exactly (see oauth.py and README "OAuth").
    redirect_uris: list[str] = field(default_factory=list)


@dataclass
class Grant:
    """One connection of an app to a company; revoking it kills all its tokens."""

    realm_id: str
    client_id: str
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    grant: Grant
    expires_at: float
    replaced_by: str | None = None
    replaced_at: float | None = None


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires_at: float


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    realm_id: str
    redirect_uri: str
    expires_at: float
    used: bool = False


@dataclass
class FaultRule:
    kind: str
    remaining: int
    path_contains: str | None = None
    status: int | None = None
    seconds: float = 30.0


@dataclass
class ChaosRule:
    """Random faults: each matching API call fails with ``probability``, its kind drawn
    from ``kinds``, both from one ``random.Random(seed)`` so a run can be replayed."""

    seed: int
    probability: float
    kinds: tuple[str, ...]
    path_contains: str | None = None
    status: int | None = None
    seconds: float = 30.0
    injected: Counter = field(default_factory=Counter)
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def draw(self, target: str) -> FaultRule | None:
        if self.path_contains is not None and self.path_contains not in target:
            return None
        if self.rng.random() >= self.probability:
            return None
        kind = self.kinds[self.rng.randrange(len(self.kinds))]
        self.injected[kind] += 1
        return FaultRule(kind, 1, self.path_contains, self.status, self.seconds)


@dataclass
class Stats:
    requests: int = 0
    throttled: int = 0
    batch_requests: int = 0
    faults_injected: int = 0
    in_flight: int = 0
    max_concurrency: int = 0
    faults_by_kind: Counter = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "throttled": self.throttled,
            "batch_requests": self.batch_requests,
            "faults_injected": self.faults_injected,
            "faults_by_kind": dict(sorted(self.faults_by_kind.items())),
            "in_flight": self.in_flight,
            "max_concurrency": self.max_concurrency,
        }


class Company:
    """One QuickBooks company (realm): its records, indexes, preferences and logs."""

    def __init__(
        self, realm_id: str, region: str, client_id: str, preferences: dict[str, Any], clock: Clock, log_size: int
    ) -> None:
        self.realm_id = realm_id
        self.region = region
        self.country, self.currency, self.utc_offset = REGIONS[region]
        self.client_id = client_id
        self.preferences = dict(DEFAULT_PREFERENCES)
        self.preferences.update(preferences)
        self.clock = clock
        self.subscription_active = True
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in ALL_ENTITIES}
        # Deleted transactions: {"Id", "_deleted_at", "_seq"} so CDC can report them.
        self.tombstones: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in ALL_ENTITIES}
        self._ids = itertools.count(1)
        # Payment methods and terms number from 1 in their own lists, as in QuickBooks (Cash is 1);
        # everything else shares one counter.
        self._own_ids = {"PaymentMethod": itertools.count(1), "Term": itertools.count(1)}
        self._seq = itertools.count(1)
        self._auto_doc_number = itertools.count(1001)
        # Indexes kept in step with every write.
        self.display_names: dict[str, tuple[str, str]] = {}  # lower(DisplayName) -> (entity, Id)
        self.item_names: dict[str, str] = {}
        self.account_names: dict[str, str] = {}
        self.payment_method_names: dict[str, str] = {}
        self.doc_numbers: dict[str, dict[str, set[str]]] = {name: {} for name in TXN_ENTITIES}
        self.request_log: deque[dict[str, Any]] = deque(maxlen=log_size)
        self.fault_rules: list[FaultRule] = []
        self.refusals: list[Any] = []  # business faults for one record's write (refusals.py)
        self.chaos: ChaosRule | None = None
        self.request_ids: dict[str, tuple[float, int, bytes, str]] = {}
        self.stats = Stats()
        self.created_ids: dict[str, Any] = {}
        # The Preferences object's own version and the values of the fields the API may write
        # that no control switch holds ("Section.Field" -> value): entities/preferences.py.
        self.preferences_sync_token = 0
        self.preference_fields: dict[str, Any] = {}
        # Multicurrency (currency.py): the company's own exchange rates by (code, ISO date), and
        # the foreign currencies in its list.
        self.exchange_rates: dict[tuple[str, str], Any] = {}
        self.currencies: set[str] = set()

    # --- ids, time ---
    def next_id(self, entity: str | None = None) -> str:
        return str(next(self._own_ids.get(entity, self._ids)))

    def next_seq(self) -> int:
        return next(self._seq)

    def next_doc_number(self) -> str:
        return str(next(self._auto_doc_number))

    def fmt(self, moment_ts: float | None = None) -> str:
        moment = self.clock.now() if moment_ts is None else _from_ts(moment_ts)
        return format_time(moment, self.utc_offset)

    def today(self) -> date:
        return self.clock.now().astimezone(timezone(timedelta(hours=self.utc_offset))).date()

    def closed_books_date(self) -> date | None:
        value = self.preferences.get("closed_books_date")
        if not value:
            return None
        return date.fromisoformat(str(value))

    # --- record access ---
    def get(self, entity: str, record_id: Any) -> dict[str, Any] | None:
        return self.records[entity].get(str(record_id))


def _from_ts(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class Store:
    """The whole emulator state; ``reset()`` wipes it but keeps the default app."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = Clock()
        self.reset()

    def reset(self) -> None:
        self.clock.offset = 0.0
        self.apps: dict[str, App] = {
            self.config.client_id: App(
                self.config.client_id, self.config.client_secret, list(self.config.redirect_uris)
            )
        }
        self.companies: dict[str, Company] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.auth_codes: dict[str, AuthorizationCode] = {}
        # Realm ids look like QuickBooks' (16-19 digits); start high and count up.
        self._realm_ids = itertools.count(9341450000000001 + secrets.randbelow(10_000) * 1000)

    def new_realm_id(self) -> str:
        return str(next(self._realm_ids))

    def create_app(self, redirect_uris: list[str] | None = None) -> App:
        from .config import _new_client_id, _new_client_secret

        app = App(_new_client_id(), _new_client_secret(), list(redirect_uris or []))
        self.apps[app.client_id] = app
        return app

    # --- tokens ---
    def issue_tokens(self, grant: Grant) -> tuple[AccessToken, RefreshToken]:
        now = self.clock.time()
        access = AccessToken("eyJ" + secrets.token_urlsafe(48), grant, now + self.config.access_token_lifetime)
        refresh = RefreshToken("RT1-" + secrets.token_urlsafe(36), grant, now + self.config.refresh_token_lifetime)
        self.access_tokens[access.token] = access
        self.refresh_tokens[refresh.token] = refresh
        return access, refresh

    def issue_access_token(self, grant: Grant) -> AccessToken:
        now = self.clock.time()
        access = AccessToken("eyJ" + secrets.token_urlsafe(48), grant, now + self.config.access_token_lifetime)
        self.access_tokens[access.token] = access
        return access

    def token_response(self, access: AccessToken, refresh: RefreshToken) -> dict[str, Any]:
        now = self.clock.time()
        return {
            "token_type": "bearer",
            "access_token": access.token,
            "refresh_token": refresh.token,
            "expires_in": self.config.access_token_lifetime,
            "x_refresh_token_expires_in": max(0, round(refresh.expires_at - now)),
        }

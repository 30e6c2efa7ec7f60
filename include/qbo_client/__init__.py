"""A QuickBooks Online Accounting API client that does what the peers got wrong.

Knows nothing of Airflow or of the billing app; depends on requests and the standard
library only. Start with :class:`QboClient`; see ``client.py`` for the retry
table and ``budget.py`` for the rate budget.
"""

from __future__ import annotations

from qbo_client.budget import BudgetConfig, MemoryRateBudget, RateBudget
from qbo_client.client import QboClient, RetryPolicy, new_requestid, quote
from qbo_client.codes import FaultKind, classify
from qbo_client.environments import DEFAULT_MINOR_VERSION, Environment
from qbo_client.errors import (
    CdcWindowTooDense,
    ConfigurationError,
    InvalidGrant,
    OutcomeUnknown,
    QboError,
    QboFaultError,
    ReadsBlocked,
    ReconnectRequired,
    TransientError,
)
from qbo_client.faults import QboFault, parse_body
from qbo_client.oauth import OAuthApp
from qbo_client.results import BatchOperation, BatchResult, CdcChange, WriteResult
from qbo_client.tokens import MemoryTokenStore, TokenSet, TokenStore

__all__ = [
    "DEFAULT_MINOR_VERSION",
    "BatchOperation",
    "BatchResult",
    "BudgetConfig",
    "CdcChange",
    "CdcWindowTooDense",
    "ConfigurationError",
    "Environment",
    "FaultKind",
    "InvalidGrant",
    "MemoryRateBudget",
    "MemoryTokenStore",
    "OAuthApp",
    "OutcomeUnknown",
    "QboClient",
    "QboError",
    "QboFault",
    "QboFaultError",
    "RateBudget",
    "ReadsBlocked",
    "ReconnectRequired",
    "RetryPolicy",
    "TokenSet",
    "TokenStore",
    "TransientError",
    "WriteResult",
    "classify",
    "new_requestid",
    "parse_body",
    "quote",
]

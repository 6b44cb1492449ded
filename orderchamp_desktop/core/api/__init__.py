"""The Orderchamp GraphQL API client (no Qt here)."""

from orderchamp_desktop.core.api.client import USER_AGENT, ApiClient
from orderchamp_desktop.core.api.money import format_money, parse_money
from orderchamp_desktop.core.api.operations import (
    Operation,
    OperationFileError,
    OperationLibrary,
    load_operation,
    operation_names,
)
from orderchamp_desktop.core.api.retry import RetryPolicy
from orderchamp_desktop.core.api.schema import LiveSchema, PreparedDocument
from orderchamp_desktop.core.api.types import ClientStats, Page, ThrottleState
from orderchamp_desktop.core.api.wire import IncompleteAnswerError, QueryCostError

__all__ = [
    "USER_AGENT",
    "ApiClient",
    "ClientStats",
    "IncompleteAnswerError",
    "LiveSchema",
    "Operation",
    "OperationFileError",
    "OperationLibrary",
    "Page",
    "PreparedDocument",
    "QueryCostError",
    "RetryPolicy",
    "ThrottleState",
    "format_money",
    "load_operation",
    "operation_names",
    "parse_money",
]

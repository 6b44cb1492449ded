"""One HTTP exchange with the GraphQL endpoint, sorted into "done", "retry" or "fail".

Every failure records whether the server may have executed the request
(``Transient.may_have_executed``): a query may always be sent again, a mutation only when
the server provably did not run it (the connection never opened, or it answered 429 /
"Throttled", which it does before executing anything).
"""

from __future__ import annotations

import email.utils
import json
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import httpx

from orderchamp_desktop.core.errors import AuthError, KnownError, OfflineError, ServerError, ThrottledError

Redactor = Callable[[str], str]

TIMEOUT_MESSAGE = (
    "Orderchamp did not answer in time. This is usually temporary; please try again in a few minutes."
)
BAD_URL_MESSAGE = (
    "The Orderchamp API address is not valid. Check the --api-url option or the "
    "ORDERCHAMP_API_URL setting."
)
COST_MESSAGE = (
    "Orderchamp refused a request of the app as too large. Please report this problem; "
    "your data is safe."
)
_DNS_HINTS = ("name or service not known", "nodename nor servname", "getaddrinfo failed",
              "temporary failure in name resolution", "no address associated", "name resolution")
_MAX_IN_MESSAGE = re.compile(r"max\w*\D{0,40}?(\d+)", re.IGNORECASE)
_COST_IN_MESSAGE = re.compile(r"cost\D{0,40}?(\d+)", re.IGNORECASE)


class QueryCostError(ServerError):
    """The server refused a query as above its single-query cost ceiling (an app bug)."""

    default_message = COST_MESSAGE

    def __init__(self, message: str, *, max_cost: int | None, cost: int | None) -> None:
        super().__init__(detail=f"query cost above the server's maximum (app bug): {message}")
        self.max_cost = max_cost
        self.cost = cost


@dataclass(frozen=True)
class GraphQLResponse:
    """A JSON answer that carries data (possibly with partial errors)."""

    data: dict[str, Any]
    errors: list[dict[str, Any]]
    extensions: Mapping[str, Any] | None
    status: int


class Transient(Exception):
    """An attempt failed in a way that a later attempt may not."""

    def __init__(self, final: KnownError, *, may_have_executed: bool, retry_after: float | None = None,
                 throttled: bool = False, extensions: object = None) -> None:
        super().__init__(str(final))
        self.final = final
        self.may_have_executed = may_have_executed
        self.retry_after = retry_after
        self.throttled = throttled
        self.extensions = extensions


def classify_transport(exc: httpx.HTTPError, redact: Redactor) -> Exception:
    """Map an httpx exception to a Transient (retry may help) or a final KnownError."""
    text = redact(str(exc) or type(exc).__name__)
    host = _host(exc)
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Transient(OfflineError(detail=f"connecting to {host} timed out"), may_have_executed=False)
    if isinstance(exc, httpx.TimeoutException):
        return Transient(ServerError(TIMEOUT_MESSAGE, detail=f"{type(exc).__name__}: {text}"),
                         may_have_executed=True)
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        detail = f"the name {host} could not be resolved" if _is_dns_failure(exc) else (
            f"could not connect to {host}: {text}")
        return Transient(OfflineError(detail=detail), may_have_executed=False)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return OfflineError(BAD_URL_MESSAGE, detail=text)
    if isinstance(exc, httpx.LocalProtocolError):
        return RuntimeError(f"the request could not be formed: {text}")
    if isinstance(exc, httpx.DecodingError):
        return Transient(ServerError(detail=f"unreadable answer: {text}"), may_have_executed=True)
    return Transient(OfflineError(detail=f"the connection dropped before Orderchamp answered ({text})"),
                     may_have_executed=True)


def _host(exc: httpx.HTTPError) -> str:
    try:
        return exc.request.url.host or "the server"
    except RuntimeError:  # an exception raised without a request attached
        return "the server"


def _is_dns_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return True
        if any(hint in str(current).lower() for hint in _DNS_HINTS):
            return True
        current = current.__cause__ or current.__context__
    return False


def read_response(response: httpx.Response, wall_now: float, redact: Redactor) -> GraphQLResponse:
    """Classify an HTTP answer; returns only answers that carry a ``data`` object.

    Server messages go through ``redact``: a server may echo what it was sent.
    """
    status = response.status_code
    if status in (401, 403):
        raise AuthError(detail=f"HTTP {status}")
    payload = _json_body(response)
    extensions = payload.get("extensions") if isinstance(payload, dict) else None
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"), wall_now)
        raise Transient(ThrottledError(detail="HTTP 429", retry_after=retry_after), may_have_executed=False,
                        retry_after=retry_after, throttled=True, extensions=extensions)
    if status >= 500:
        raise Transient(ServerError(detail=f"HTTP {status}"), may_have_executed=True, extensions=extensions)
    if not isinstance(payload, dict):
        kind = response.headers.get("Content-Type", "no content type")
        error = ServerError(detail=f"HTTP {status}: expected JSON, got {kind}")
        if status >= 400:
            raise error
        raise Transient(error, may_have_executed=True)
    return _graphql_answer(payload, status, extensions, redact)


def _json_body(response: httpx.Response) -> object:
    """The decoded JSON body, or None for HTML, empty or malformed bodies."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def _graphql_answer(payload: dict[str, Any], status: int, extensions: object,
                    redact: Redactor) -> GraphQLResponse:
    raw_errors = payload.get("errors")
    errors = [e for e in raw_errors if isinstance(e, dict)] if isinstance(raw_errors, list) else []
    data = payload.get("data")
    if any(_is_throttled(e) for e in errors):
        raise Transient(ThrottledError(detail="Throttled"), may_have_executed=False, throttled=True,
                        extensions=extensions)
    if not isinstance(data, dict):
        if errors:
            raise _error_for(errors, redact)
        raise Transient(ServerError(detail=f"HTTP {status}: an answer without data"), may_have_executed=True)
    if status >= 400:
        raise _error_for(errors, redact) if errors else ServerError(detail=f"HTTP {status}")
    ext = extensions if isinstance(extensions, Mapping) else None
    return GraphQLResponse(data=data, errors=errors, extensions=ext, status=status)


def _is_throttled(error: Mapping[str, Any]) -> bool:
    ext = error.get("extensions")
    code = ext.get("code") if isinstance(ext, Mapping) else None
    return str(error.get("message", "")).strip().lower() == "throttled" or code == "THROTTLED"


def first_message(errors: list[dict[str, Any]]) -> str:
    for error in errors:
        message = error.get("message")
        if isinstance(message, str) and message:
            return message
    return "unknown error"


def _error_for(errors: list[dict[str, Any]], redact: Redactor) -> ServerError:
    """Errors without data: the server refused the whole request."""
    message = redact(first_message(errors))
    lowered = message.lower()
    ext = errors[0].get("extensions") if errors else None
    ext = ext if isinstance(ext, Mapping) else {}
    if ext.get("code") == "MAX_QUERY_COST_EXCEEDED" or (
            "cost" in lowered and ("max" in lowered or "exceed" in lowered)):
        return QueryCostError(message, max_cost=_int(ext.get("maxCost"), _MAX_IN_MESSAGE, message),
                              cost=_int(ext.get("cost"), _COST_IN_MESSAGE, message))
    return ServerError(detail=message)


def _int(value: object, pattern: re.Pattern[str], message: str) -> int | None:
    """A number from the error's extensions, else read from its message."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    match = pattern.search(message)
    return int(match.group(1)) if match else None


def parse_retry_after(value: str | None, wall_now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - wall_now)

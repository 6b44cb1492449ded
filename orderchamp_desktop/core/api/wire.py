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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

import httpx
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from orderchamp_desktop.core.errors import AuthError, KnownError, OfflineError, ServerError, ThrottledError

Redactor = Callable[[str], str]

TIMEOUT_MESSAGE = (
    "Orderchamp did not answer in time. This is usually temporary; please try again in a few minutes."
)
BAD_URL_MESSAGE = (
    "The Orderchamp API address is not valid. Check the --api-url option or the "
    "ORDERCHAMP_API_URL setting."
)
NO_API_MESSAGE = (
    "There is no Orderchamp API at the address the app uses. Check the --api-url option or "
    "the ORDERCHAMP_API_URL setting; the usual address is https://api.orderchamp.com/v1/graphql."
)
INCOMPLETE_MESSAGE = (
    "Orderchamp could not send all of the data the app asked for, so your saved data was left "
    "as it was. This is usually temporary; please try again in a few minutes."
)
COST_MESSAGE = (
    "Orderchamp refused a request of the app as too large. Please report this problem; "
    "your data is safe."
)
#: Statuses meaning "nothing here takes a GraphQL POST": a wrong API address, not an outage.
_NO_ENDPOINT = frozenset({404, 405, 410})
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


class IncompleteAnswerError(ServerError):
    """A query answer lacked data it should hold (a field failed on the server): retryable."""

    default_message = INCOMPLETE_MESSAGE


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
    if status in _NO_ENDPOINT:  # a GraphQL endpoint answers POST: this address is not one
        raise OfflineError(NO_API_MESSAGE, detail=f"HTTP {status}: no GraphQL endpoint at this address")
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
    """The decoded JSON body, or None for HTML, empty or malformed bodies.

    Fractions are read as Decimal: a number with a fraction is never turned into a binary
    float on the way in (money arrives as strings per the docs; measures may not).
    """
    try:
        return json.loads(response.content, parse_float=Decimal)
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
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
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


# ---------------------------------------------------------------------- partial answers


def check_complete(response: GraphQLResponse, document: DocumentNode, connection: Sequence[str] | None,
                   redact: Redactor) -> None:
    """Refuse a query answer that lacks data it should hold (raises a retryable Transient).

    GraphQL answers a failed field with null plus an error naming its path. Taking such an
    answer at face value reads "this connection is empty" or "this order is gone" where the
    truth is "the server could not say", and a full sync would then drop cached rows. So an
    error that left a null object, connection or list item (or names no path, so nothing in
    the answer can be trusted) fails the query. A null plain value (a failed leaf such as a
    note) is kept, like a field the live schema lacks; a null without any error is an
    answer ("not found"). For a page of ``connection``, the connection itself and every
    node must be present as well.
    """
    damaged = [e for e in response.errors if _left_a_hole(response.data, document, e.get("path"))]
    if damaged:
        where = damaged[0].get("path")
        detail = f"partial answer at {_path_text(where)}: {redact(first_message(damaged))}"
        raise Transient(IncompleteAnswerError(detail=detail), may_have_executed=True)
    if connection is not None and (problem := _page_problem(response.data, connection)):
        raise Transient(IncompleteAnswerError(detail=problem), may_have_executed=True)


def _left_a_hole(data: Mapping[str, Any], document: DocumentNode, path: object) -> bool:
    """True when an error's ``path`` ends in a null object or list item, or passes a null."""
    if not isinstance(path, list) or not path:
        return True
    node: object = data
    for depth, part in enumerate(path):
        if isinstance(node, Mapping) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and not isinstance(part, bool):
            node = node[part] if -len(node) <= part < len(node) else None
        else:
            return True
        if node is None:
            last = depth == len(path) - 1
            return not (last and isinstance(part, str) and _is_leaf(document, path))
    return False


def _is_leaf(document: DocumentNode, path: Sequence[object]) -> bool:
    """Whether the field the response ``path`` names selects nothing below it (a scalar)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    levels = [d.selection_set for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for part in path:
        if not isinstance(part, str):
            continue  # a list index stays at the same field
        matches = [f for level in levels for f in _fields(level, fragments)
                   if (f.alias or f.name).value == part]
        if not matches:
            return False  # a path our document does not hold: trust nothing
        levels = [f.selection_set for f in matches if f.selection_set is not None]
    return not levels


def _fields(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode],
            seen: frozenset[str] = frozenset()) -> list[FieldNode]:
    """The fields of a selection set, fragments (spread or inline) flattened into it."""
    found: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_fields(fragment.selection_set, fragments, seen | {selection.name.value}))
    return found


def _page_problem(data: Mapping[str, Any], connection: Sequence[str]) -> str | None:
    """Why ``data`` is not a whole page of the connection at ``connection``, or None."""
    node: object = data
    for key in connection:
        node = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping):
        return f"the answer has no {'.'.join(connection)}"
    nodes = node.get("nodes")
    edges = node.get("edges")
    if isinstance(nodes, list):
        items: list[object] = nodes
    elif isinstance(edges, list):
        items = [e.get("node") if isinstance(e, Mapping) else None for e in edges]
    else:
        return f"{'.'.join(connection)} has neither nodes nor edges"
    empty = sum(1 for item in items if not isinstance(item, Mapping))
    return f"{'.'.join(connection)} holds {empty} empty nodes" if empty else None


def _path_text(path: object) -> str:
    return ".".join(str(p) for p in path) if isinstance(path, list) and path else "(no path)"

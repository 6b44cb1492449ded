"""The Orderchamp GraphQL client: pacing, retries, typed errors, pages, live-schema checks.

Retry rules in one place: a query may be sent again after any transient failure; a
mutation only when the server provably did not run it (the connection never opened, or it
answered 429 / "Throttled" before executing). A mutation whose answer was lost raises
OutcomeUnknownError: the caller re-reads the server's state instead of sending it twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from graphql import DocumentNode, GraphQLError, get_introspection_query, parse

from orderchamp_desktop import __version__
from orderchamp_desktop.core.api.cost import estimate_cost
from orderchamp_desktop.core.api.money import format_money
from orderchamp_desktop.core.api.operations import Kind, Operation, OperationLibrary
from orderchamp_desktop.core.api.retry import RetryPolicy
from orderchamp_desktop.core.api.schema import (
    LiveSchema,
    PreparedDocument,
    read_cached_schema,
    write_cached_schema,
)
from orderchamp_desktop.core.api.throttle import (
    DEFAULT_MAX_QUERY_COST,
    PROBE_PAGE_SIZE,
    CostModel,
    Pacer,
    page_budget,
)
from orderchamp_desktop.core.api.types import ClientStats, Page, ThrottleState
from orderchamp_desktop.core.api.wire import (
    BAD_URL_MESSAGE,
    GraphQLResponse,
    QueryCostError,
    Transient,
    check_complete,
    classify_transport,
    first_message,
    read_response,
)
from orderchamp_desktop.core.errors import (
    AuthError,
    OfflineError,
    OutcomeUnknownError,
    SchemaMismatchError,
    ServerError,
    ThrottledError,
    UserError,
    UserErrorsError,
)
from orderchamp_desktop.core.paths import resolve_api_url

log = logging.getLogger(__name__)

USER_AGENT = f"OrderchampDesktop/{__version__}"
_TOKEN_SHAPE = re.compile(r"^[\x21-\x7e]+$")  # visible ASCII: anything else cannot be a header
_INTROSPECTION = "IntrospectionQuery"
# Without descriptions (smaller) and without newer spec fields an older server may not know.
_INTROSPECTION_TEXT = get_introspection_query(descriptions=False)
_INTROSPECTION_DOCUMENT = parse(_INTROSPECTION_TEXT)
_COST_RETRIES = 4

Sleep = Callable[[float], Awaitable[object]]


@dataclass(frozen=True)
class _Request:
    name: str
    text: str
    kind: Kind
    variables: dict[str, Any]
    document: DocumentNode
    connection: tuple[str, ...] | None = None  # a page of this connection must be whole

    @property
    def cost_key(self) -> tuple[str, int | None]:
        first = self.variables.get("first")
        return self.name, first if isinstance(first, int) and not isinstance(first, bool) else None


class ApiClient:
    """One account's connection to the Orderchamp API (one per event loop)."""

    def __init__(self, endpoint: str | None, token: str, *,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 30.0,
                 max_retries: int = 6, sleep: Sleep = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic, schema: LiveSchema | None = None,
                 rng: random.Random | None = None, wall_clock: Callable[[], float] = time.time,
                 retry_policy: RetryPolicy | None = None,
                 operations: OperationLibrary | None = None) -> None:
        self.endpoint = resolve_api_url(endpoint)
        self._token = token.strip()
        self._http = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(timeout),
                                       headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = rng or random.Random()
        self._policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self._pacer = Pacer(clock, sleep)
        self._learned_costs: dict[tuple[str, int | None], float] = {}
        self._page_models: dict[str, CostModel] = {}
        self._prepared: dict[str, PreparedDocument] = {}
        self._schema = schema
        self.operations = operations or OperationLibrary()
        self.stats = ClientStats()
        #: Single-query cost ceiling; lowered when the server names a smaller one.
        self.max_query_cost: float = DEFAULT_MAX_QUERY_COST

    def __repr__(self) -> str:  # never show the token
        return f"ApiClient({self.endpoint!r})"

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def throttle(self) -> ThrottleState | None:
        """The cost bucket as last reported by the server (None before the first answer)."""
        return self._pacer.state

    @property
    def schema(self) -> LiveSchema | None:
        return self._schema

    @schema.setter
    def schema(self, value: LiveSchema | None) -> None:
        self._schema = value
        self._prepared = {}

    @property
    def pruned_fields(self) -> dict[str, tuple[str, ...]]:
        """Per operation, the leaf fields dropped because the live schema lacks them."""
        return {name: p.pruned for name, p in self._prepared.items() if p.pruned}

    # ------------------------------------------------------------------ public calls

    async def query(self, op_name: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run a query operation; returns its ``data`` exactly as the server sent it.

        An answer whose errors left a null in it is retried, then raised as ServerError:
        a null that comes with an error means "could not say", never "gone" or "empty".
        """
        return (await self._run(op_name, variables, "query")).data

    async def mutate(self, op_name: str, variables: Mapping[str, Any] | None, *,
                     payload: str) -> dict[str, Any]:
        """Run a mutation; returns the payload object named ``payload`` (e.g. "shipmentCreate").

        Raises UserErrorsError when the payload lists userErrors (nothing was changed) and
        OutcomeUnknownError when the answer was lost (re-read before doing anything else).
        """
        response = await self._run(op_name, variables, "mutation")
        return _payload(response, payload, self._redact)

    async def paginate(self, op_name: str, variables: Mapping[str, Any] | None = None, *,
                       connection: Sequence[str], page_size: int | None = None) -> AsyncIterator[Page]:
        """Every page of the connection at ``connection`` (a path into ``data``), in order.

        The operation declares ``$first: Int!`` and ``$after: String``. ``page_size=None``
        sizes pages adaptively: a small probe page, then the largest ``first`` whose
        requested cost stays under the bucket and the single-query ceiling.
        """
        operation = self.operations.load(op_name)
        if not {"first", "after"} <= operation.variables:
            raise TypeError(f"{op_name} must declare $first and $after to be paginated")
        base = dict(variables or {})
        after = base.get("after")
        while True:
            first = page_size if page_size is not None else self._adaptive_size(op_name)
            response, requested = await self._fetch_page(op_name, base, after, first, page_size is None,
                                                         tuple(connection))
            page = _page_at(response.data, tuple(connection), requested, bool(response.errors))
            yield page
            if not page.has_next:
                return
            if page.end_cursor is None or page.end_cursor == after:
                raise ServerError(detail=f"{op_name}: the next page has no new cursor")
            after = page.end_cursor

    def ensure_operation(self, op_name: str) -> None:
        """Raise SchemaMismatchError when the live schema rejects ``op_name``.

        Features call this before offering an action; query/mutate call it too once a
        schema is loaded. Without a loaded schema every operation is assumed fine.
        """
        self._prepare(self.operations.load(op_name))

    async def load_schema(self, cache_dir: Path | None, account_key: str) -> LiveSchema:
        """Use the live schema: from the per-account cache when younger than a day and not
        newly rejecting an operation, else fetched by introspection (and cached).

        Building and validating take a few hundred milliseconds of pure Python, so they run
        in a worker thread to keep a GUI event loop responsive.
        """
        if cache_dir is not None:
            cached = await asyncio.to_thread(self._from_cache, cache_dir, account_key)
            if cached is not None:
                return self._use_schema(*cached)
        response = await self._execute(_Request(_INTROSPECTION, _INTROSPECTION_TEXT, "query", {},
                                                _INTROSPECTION_DOCUMENT))
        fresh = await asyncio.to_thread(self._from_introspection, response.data, cache_dir, account_key)
        return self._use_schema(*fresh)

    def _from_cache(self, cache_dir: Path, account_key: str
                    ) -> tuple[LiveSchema, dict[str, PreparedDocument]] | None:
        cached = read_cached_schema(cache_dir, account_key, self._wall_clock())
        if cached is None:
            return None
        prepared = _prepare_all(cached.schema, self.operations)
        if _rejected(prepared) <= cached.rejected:
            return cached.schema, prepared
        log.info("An operation fails against the cached schema; fetching it again")
        return None

    def _from_introspection(self, data: dict[str, Any], cache_dir: Path | None, account_key: str
                            ) -> tuple[LiveSchema, dict[str, PreparedDocument]]:
        try:
            schema = LiveSchema.from_introspection(data, fetched_at=self._wall_clock())
        except (TypeError, ValueError, KeyError, GraphQLError) as exc:
            raise ServerError(detail=f"the API's schema could not be read: {exc}") from exc
        prepared = _prepare_all(schema, self.operations)
        if cache_dir is not None:
            write_cached_schema(cache_dir, account_key, schema, _rejected(prepared))
        return schema, prepared

    # ------------------------------------------------------------------ schema

    def _use_schema(self, schema: LiveSchema, prepared: dict[str, PreparedDocument]) -> LiveSchema:
        self.schema = schema
        self._prepared = prepared
        for name, item in prepared.items():
            if item.pruned:
                log.warning("%s: the live API lacks %s; those fields are left out",
                            name, ", ".join(item.pruned))
            if not item.accepted:
                log.warning("%s is switched off: %s", name, item.errors[0])
        return schema

    def _prepare(self, operation: Operation) -> PreparedDocument:
        if self._schema is None:
            return PreparedDocument(operation.document, operation.text)
        prepared = self._prepared.get(operation.name)
        if prepared is None:
            prepared = self._prepared[operation.name] = self._schema.prepare(operation.document)
            if prepared.pruned:
                log.warning("%s: the live API lacks %s; those fields are left out",
                            operation.name, ", ".join(prepared.pruned))
        if not prepared.accepted:
            raise SchemaMismatchError(
                f"{operation.feature} is not available: the Orderchamp API does not offer it "
                "for your account right now. The rest of the app keeps working; an update of "
                "the app may be needed.",
                detail=f"{operation.name}: {prepared.errors[0]}",
            )
        return prepared

    # ------------------------------------------------------------------ pagination

    def _adaptive_size(self, op_name: str) -> int:
        model = self._page_models.get(op_name)
        size = model.largest_page(page_budget(self.throttle, self.max_query_cost)) if model else None
        return PROBE_PAGE_SIZE if size is None else size

    async def _fetch_page(self, op_name: str, variables: dict[str, Any], after: object, first: int,
                          adaptive: bool, connection: tuple[str, ...]) -> tuple[GraphQLResponse, int | None]:
        """One page; an adaptive page refused as too costly is retried smaller."""
        model = self._page_models.setdefault(op_name, CostModel())
        for _ in range(_COST_RETRIES):
            try:
                response = await self._run(op_name, {**variables, "first": first, "after": after}, "query",
                                           connection=connection)
            except QueryCostError as exc:
                if not adaptive or first <= 1:
                    raise
                first = self._shrink_after_cost_error(model, first, exc)
                continue
            requested = _requested_cost(response)
            if requested is not None:
                model.observe(first, requested)
            return response, None if requested is None else round(requested)
        raise QueryCostError("page still too costly after shrinking", max_cost=None, cost=None)

    def _shrink_after_cost_error(self, model: CostModel, first: int, exc: QueryCostError) -> int:
        if exc.max_cost:
            self.max_query_cost = min(self.max_query_cost, exc.max_cost)
        if exc.cost:
            model.observe(first, exc.cost)
        fitted = model.largest_page(page_budget(self.throttle, self.max_query_cost))
        smaller = min(fitted if fitted is not None else first // 2, first // 2)
        log.warning("A page of %d was above the cost ceiling; retrying with %d", first, max(1, smaller))
        return max(1, smaller)

    # ------------------------------------------------------------------ sending

    async def _run(self, op_name: str, variables: Mapping[str, Any] | None, kind: Kind, *,
                   connection: tuple[str, ...] | None = None) -> GraphQLResponse:
        operation = self.operations.load(op_name)
        if operation.kind != kind:
            raise TypeError(f"{op_name} is a {operation.kind}; call the matching method")
        prepared = self._prepare(operation)
        text = prepared.text if prepared.pruned else operation.text
        request = _Request(op_name, text, kind, dict(variables or {}), prepared.document, connection)
        response = await self._execute(request)
        if response.errors:  # only errors that left every value in place get this far
            log.warning("%s answered with data and errors: %s", op_name,
                        self._redact(first_message(response.errors)))
        return response

    async def _execute(self, request: _Request) -> GraphQLResponse:
        if not _TOKEN_SHAPE.match(self._token):
            raise AuthError(detail="the token is empty or has characters a token cannot have")
        attempt = 0
        while True:
            try:
                return await self._attempt(request)
            except Transient as failure:
                delay = self._retry_delay(request, failure, attempt)
                log.info("Retrying %s in %.2fs: %s", request.name, delay, failure.final.detail)
            attempt += 1
            self.stats.retries += 1
            self.stats.backoff_seconds += delay
            if delay > 0:
                await self._sleep(delay)

    def _retry_delay(self, request: _Request, failure: Transient, attempt: int) -> float:
        """Seconds before the next attempt, or raise the error the caller should see."""
        if request.kind == "mutation" and failure.may_have_executed:
            raise OutcomeUnknownError(detail=failure.final.detail) from failure.__cause__
        offline = isinstance(failure.final, OfflineError) and not failure.may_have_executed
        limit = min(self._policy.offline_retries, self._policy.max_retries) if offline else (
            self._policy.max_retries)
        if attempt >= limit:
            if isinstance(failure.final, ThrottledError) and failure.final.retry_after is None:
                failure.final.retry_after = self._pacer.wait_needed(self._expected_cost(request)) or None
            raise failure.final from failure.__cause__
        if failure.retry_after is not None:
            if failure.retry_after > self._policy.max_retry_after:
                raise failure.final from failure.__cause__
            return failure.retry_after
        if failure.throttled and self._pacer.wait_needed(self._expected_cost(request)) > 0:
            return 0.0  # the pacer waits exactly as long as the reported bucket needs
        return self._policy.backoff(attempt, self._rng)

    async def _attempt(self, request: _Request) -> GraphQLResponse:
        ticket, waited = await self._pacer.acquire(self._expected_cost(request))
        self.stats.paced_seconds += waited
        state: ThrottleState | None = None
        try:
            http_response = await self._post(request)
            # The bucket was measured before this moment; parsing a big page must not count
            # as refill time we cannot use.
            received_at = self._clock()
            try:
                response = read_response(http_response, self._wall_clock(), self._redact)
            except Transient as failure:
                self.stats.throttled += failure.throttled
                state = self._observe(request, failure.extensions, received_at, executed=False)
                raise
            state = self._observe(request, response.extensions, received_at, executed=True)
            if request.kind == "query":  # a mutation's payload is judged by the caller, never resent
                check_complete(response, request.document, request.connection, self._redact)
            return response
        finally:
            self._pacer.release(ticket, state)

    async def _post(self, request: _Request) -> httpx.Response:
        self.stats.requests += 1
        by_op = self.stats.requests_by_operation
        by_op[request.name] = by_op.get(request.name, 0) + 1
        body = json.dumps({"query": request.text, "variables": request.variables,
                           "operationName": request.name}, default=_json_default).encode()
        headers = {"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"}
        try:
            return await self._http.post(self.endpoint, content=body, headers=headers)
        except httpx.HTTPError as exc:
            mapped = classify_transport(exc, self._redact)
            if self._token in str(exc):
                raise mapped from None
            raise mapped from exc
        except httpx.InvalidURL as exc:
            raise OfflineError(BAD_URL_MESSAGE, detail=self._redact(str(exc))) from None

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if len(self._token) >= 4 else text

    # ------------------------------------------------------------------ costs

    def _observe(self, request: _Request, extensions: object, received_at: float, *,
                 executed: bool) -> ThrottleState | None:
        state = ThrottleState.from_extensions(extensions, received_at)
        if state is None:
            return None
        if state.requested_cost is not None:
            self._learned_costs[request.cost_key] = state.requested_cost
        if executed:
            self.stats.total_requested_cost += state.requested_cost or 0.0
            self.stats.total_actual_cost += state.actual_cost or 0.0
        return state

    def _expected_cost(self, request: _Request) -> float:
        """What the server will ask of the bucket: learned, modelled, or estimated."""
        learned = self._learned_costs.get(request.cost_key)
        if learned is not None:
            return learned
        model, first = self._page_models.get(request.name), request.cost_key[1]
        if model is not None and first is not None and (modelled := model.estimate(first)) is not None:
            return modelled
        return float(estimate_cost(request.document, request.variables))


# ---------------------------------------------------------------------- helpers


def _prepare_all(schema: LiveSchema, operations: OperationLibrary) -> dict[str, PreparedDocument]:
    return {name: schema.prepare(operations.load(name).document) for name in operations.names()}


def _rejected(prepared: Mapping[str, PreparedDocument]) -> frozenset[str]:
    return frozenset(name for name, item in prepared.items() if not item.accepted)


def _json_default(value: object) -> object:
    """Money and moments go out as the strings the API expects."""
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot send a {type(value).__name__} to the API")


def _requested_cost(response: GraphQLResponse) -> float | None:
    state = ThrottleState.from_extensions(response.extensions, 0.0)
    return None if state is None else state.requested_cost


def _page_at(data: Mapping[str, Any], path: tuple[str, ...], requested: int | None,
             partial: bool) -> Page:
    """The page at ``path`` (check_complete has made sure it and all its nodes are there)."""
    node: object = data
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping):
        raise ServerError(detail=f"the answer has no {'.'.join(path)}")
    edges = _list(node.get("edges"))
    raw_nodes = node.get("nodes")
    if not isinstance(raw_nodes, list):
        raw_nodes = [e.get("node") for e in edges if isinstance(e, Mapping)]
    nodes = [n for n in raw_nodes if isinstance(n, dict)]
    info = node.get("pageInfo")
    info = info if isinstance(info, Mapping) else {}
    cursor = info.get("endCursor")
    if not isinstance(cursor, str) and edges and isinstance(edges[-1], Mapping):
        cursor = edges[-1].get("cursor")
    total = node.get("totalCount")
    return Page(nodes=nodes, end_cursor=cursor if isinstance(cursor, str) else None,
                has_next=info.get("hasNextPage") is True,
                total_count=total if isinstance(total, int) and not isinstance(total, bool) else None,
                requested_cost=requested, partial=partial)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _payload(response: GraphQLResponse, name: str, redact: Callable[[str], str]) -> dict[str, Any]:
    payload = response.data.get(name)
    if not isinstance(payload, dict):
        detail = first_message(response.errors) if response.errors else f"the answer has no {name}"
        raise ServerError(detail=redact(detail))
    raw = payload.get("userErrors")
    errors = [_user_error(e) for e in raw if isinstance(e, Mapping)] if isinstance(raw, list) else []
    if errors:
        raise UserErrorsError(errors)
    return payload


def _user_error(raw: Mapping[str, Any]) -> UserError:
    field = raw.get("field")
    path = tuple(str(part) for part in field) if isinstance(field, list) else ()
    message = raw.get("message")
    return UserError(field=path, message=str(message) if message else "Orderchamp refused the change")


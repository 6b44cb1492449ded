"""One GraphQL request, from JSON body to (HTTP status, JSON payload): parse, validate, cost,
throttle, execute under the state lock. Knows nothing about sockets."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import VariableValues, get_variable_values

from .config import SandboxConfig
from .cost import CostModel
from .resolvers import Context, field_resolver
from .state import SandboxState
from .stats import ServerStats
from .throttle import LeakyBucket

Response = tuple[int, dict[str, Any]]

#: Distinct query texts whose parsed and validated document is kept. A client sends the
#: same few operations over and over (one per sync page); parsing and validating a big
#: document with graphql-core is 50-150 ms of pure Python per request, which in the
#: in-process demo competes with the GUI thread for the GIL and showed as UI stalls.
DOCUMENT_CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed, validated request with coerced variables, ready to be costed and executed."""

    document: DocumentNode
    operation: OperationDefinitionNode
    variables: VariableValues
    raw_variables: dict[str, Any]
    root_fields: list[str]

    @property
    def operation_name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None

    @property
    def is_mutation(self) -> bool:
        return self.operation.operation.value == "mutation"


def _errors(errors: list[GraphQLError] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(error.formatted) if isinstance(error, GraphQLError) else error for error in errors]


class Engine:
    def __init__(
        self,
        config: SandboxConfig,
        state: SandboxState,
        schema: GraphQLSchema,
        bucket: LeakyBucket,
        stats: ServerStats,
    ) -> None:
        self.config = config
        self.state = state
        self.schema = schema
        self.bucket = bucket
        self.stats = stats
        # query text -> (document, validation errors); both depend only on the text and the
        # schema, and execution never mutates a document, so sharing one between requests
        # (and server threads) is safe.
        self._documents: OrderedDict[str, tuple[DocumentNode, list[GraphQLError]]] = OrderedDict()
        self._documents_lock = threading.Lock()  # held for dict bookkeeping only, never a parse

    def _parse_and_validate(self, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
        """Parse and validate ``query``, or reuse the outcome for the same text (raises on a
        syntax error, which is not cached: a broken query is rare and cheap to re-parse)."""
        with self._documents_lock:
            cached = self._documents.get(query)
            if cached is not None:
                self._documents.move_to_end(query)
                return cached
        document = parse(query)
        outcome = (document, list(validate(self.schema, document)))
        with self._documents_lock:
            self._documents[query] = outcome
            while len(self._documents) > DOCUMENT_CACHE_SIZE:
                self._documents.popitem(last=False)
        return outcome

    def _error(self, errors: list[GraphQLError] | list[dict[str, Any]], status: int = 200) -> Response:
        return status, {"errors": _errors(errors), "extensions": {"throttle": self.bucket.report(0, 0)}}

    def prepare(self, body: Any) -> Prepared | Response:
        """Parse and validate; a Response when the request cannot run."""
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return self._error([{"message": 'The request must be a JSON object with a "query" string.'}], 400)
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return self._error([{"message": '"variables" must be a JSON object.'}], 400)
        try:
            document, errors = self._parse_and_validate(body["query"])
        except GraphQLError as error:
            return self._error([error])
        if errors:
            return self._error(errors)
        operation_name = body.get("operationName")
        operation = get_operation_ast(document, operation_name if isinstance(operation_name, str) else None)
        if operation is None:
            message = (
                f'Unknown operation named "{operation_name}".'
                if operation_name
                else ("Must provide operation name if query contains multiple operations.")
            )
            return self._error([{"message": message}])
        coerced = get_variable_values(self.schema, operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            return self._error(coerced)
        roots = [
            node.name.value for node in operation.selection_set.selections if isinstance(node, FieldNode)
        ]
        if not self.config.feature("introspection") and {"__schema", "__type"} & set(roots):
            # As some production GraphQL servers are configured: the schema is not disclosed.
            return self._error([{"message": "GraphQL introspection is not allowed."}])
        return Prepared(document, operation, coerced, variables, roots)

    def _cost_model(self, prepared: Prepared) -> CostModel:
        fragments = {
            definition.name.value: definition
            for definition in prepared.document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        return CostModel(self.schema, fragments, prepared.variables)

    def run(self, prepared: Prepared) -> Response:
        """Cost, admit, execute, settle."""
        model = self._cost_model(prepared)
        try:
            requested = model.requested(prepared.operation)
        except GraphQLError as error:
            return self._error([error])
        if requested > self.config.max_query_cost:
            self.stats.count("cost_refused")
            return self._too_expensive(requested)
        if not self.bucket.try_admit(requested):
            self.stats.count("throttled")
            return 200, {
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                "extensions": {"throttle": self.bucket.report(requested, 0)},
            }
        result = self._execute(prepared)
        self.stats.count_executed(prepared.root_fields)
        actual = min(requested, model.actual(prepared.operation, result.data))
        self.bucket.settle(requested, actual)
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = _errors(result.errors)
        payload["data"] = result.data
        payload["extensions"] = {"throttle": self.bucket.report(requested, actual)}
        return 200, payload

    def _too_expensive(self, requested: int) -> Response:
        maximum = self.config.max_query_cost
        error = {
            "message": f"Query cost {requested} exceeds the maximum query cost of {maximum}.",
            "extensions": {"code": "MAX_QUERY_COST_EXCEEDED", "cost": requested, "maxCost": maximum},
        }
        return 200, {"errors": [error], "extensions": {"throttle": self.bucket.report(requested, 0)}}

    def _execute(self, prepared: Prepared) -> ExecutionResult:
        context = Context(self.state, self.config)
        with self.state.lock:
            return execute_sync(
                self.schema,
                prepared.document,
                context_value=context,
                variable_values=prepared.raw_variables,
                operation_name=prepared.operation_name,
                field_resolver=field_resolver,
            )

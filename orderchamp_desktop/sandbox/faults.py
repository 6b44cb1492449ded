"""Fault injection: the misbehaviours seen on the live API, on demand or at a seeded rate."""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

FAULT_KINDS = frozenset({"429", "429_retry_after", "500", "502_html", "drop", "slow", "malformed_json"})


class FaultInjector:
    """Decides, per request, whether to misbehave and how.

    - ``configure(rate, kinds, seed)``: each request has a ``rate`` chance of one of ``kinds``
      (picked with a seeded RNG, so a failing test replays the same faults);
    - ``inject_next(kind, count)``: the next ``count`` requests get ``kind`` (exact tests);
    - ``drop_response_after(field, count)``: the next ``count`` mutations with that root field
      are EXECUTED and then the connection is dropped without an answer (outcome unknown);
    - ``fail_field_next(operation, path, count)``: the next ``count`` answers to ``operation``
      that hold a value at ``path`` get null there plus an error naming the path, the way a
      GraphQL server answers when one field's resolver failed (a partial answer).

    Except "slow" (which delays, then answers normally) and drop_response_after, a faulted
    request is never executed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rate = 0.0
        self.kinds: frozenset[str] = frozenset()
        self.slow_seconds = 1.5
        self.retry_after = 1
        self._rng = random.Random(0)
        self._forced: deque[str] = deque()
        self._drop_after: dict[str, int] = {}
        self._failing: dict[str, deque[tuple[str | int, ...]]] = {}

    def configure(
        self,
        rate: float,
        kinds: Iterable[str],
        seed: int = 0,
        *,
        slow_seconds: float | None = None,
        retry_after: int | None = None,
    ) -> None:
        chosen = frozenset(kinds)
        unknown = chosen - FAULT_KINDS
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}; known: {sorted(FAULT_KINDS)}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        with self._lock:
            self.rate = rate
            self.kinds = chosen
            self._rng = random.Random(seed)
            if slow_seconds is not None:
                self.slow_seconds = slow_seconds
            if retry_after is not None:
                self.retry_after = retry_after

    def inject_next(self, kind: str, count: int = 1) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._forced.extend([kind] * count)

    def drop_response_after(self, operation_field: str, count: int = 1) -> None:
        with self._lock:
            self._drop_after[operation_field] = self._drop_after.get(operation_field, 0) + count

    def clear(self) -> None:
        with self._lock:
            self.rate = 0.0
            self.kinds = frozenset()
            self._forced.clear()
            self._drop_after.clear()
            self._failing.clear()

    def next_fault(self) -> str | None:
        """The fault for the request being handled, if any."""
        with self._lock:
            if self._forced:
                return self._forced.popleft()
            if not self.kinds or self.rate <= 0.0:
                return None
            if self._rng.random() >= self.rate:
                return None
            return self._rng.choice(sorted(self.kinds))

    def take_drop_after(self, root_fields: Iterable[str]) -> bool:
        """True (and one use consumed) when this mutation must be executed and then dropped."""
        with self._lock:
            for name in root_fields:
                if self._drop_after.get(name, 0) > 0:
                    self._drop_after[name] -= 1
                    return True
        return False

    def fail_field_next(self, operation: str, path: Sequence[str | int], count: int = 1) -> None:
        """Make a field fail in the next ``count`` answers to ``operation`` (see the class doc).

        ``path`` starts at a root field, e.g. ``("orders",)``, ``("orders", "nodes", 0)`` or
        ``("order",)``.
        """
        if not path or not isinstance(path[0], str):
            raise ValueError("the path must start with a root field name")
        with self._lock:
            self._failing.setdefault(operation, deque()).extend([tuple(path)] * count)

    def fail_fields(self, operation: str | None, data: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Apply a pending field failure to an executed answer's ``data``; the errors to add.

        Consumed only when the answer has a value at the path (an empty page has no node 0).
        """
        if operation is None or not isinstance(data, dict):
            return []
        with self._lock:
            pending = self._failing.get(operation)
            if not pending or not _null_at(data, pending[0]):
                return []
            path = pending.popleft()
        return [{"message": "Internal server error", "path": list(path),
                 "extensions": {"category": "internal"}}]


def _null_at(data: dict[str, Any], path: tuple[str | int, ...]) -> bool:
    """Set the value at ``path`` to null; False (nothing changed) when there is none."""
    container: Any = data
    for part in path[:-1]:
        container = _child(container, part)
        if container is None:
            return False
    last = path[-1]
    if _child(container, last) is None:
        return False
    container[last] = None
    return True


def _child(container: Any, part: str | int) -> Any:
    if isinstance(container, dict) and isinstance(part, str):
        return container.get(part)
    if isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container):
        return container[part]
    return None

"""Fault injection: the misbehaviours seen on the live API, on demand or at a seeded rate."""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Iterable

FAULT_KINDS = frozenset({"429", "429_retry_after", "500", "502_html", "drop", "slow", "malformed_json"})


class FaultInjector:
    """Decides, per request, whether to misbehave and how.

    - ``configure(rate, kinds, seed)``: each request has a ``rate`` chance of one of ``kinds``
      (picked with a seeded RNG, so a failing test replays the same faults);
    - ``inject_next(kind, count)``: the next ``count`` requests get ``kind`` (exact tests);
    - ``drop_response_after(field, count)``: the next ``count`` mutations with that root field
      are EXECUTED and then the connection is dropped without an answer (outcome unknown).

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

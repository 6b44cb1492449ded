"""Counters of what the server received and did (tests use them, e.g. "shipmentCreate ran once")."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ServerStats:
    """Thread-safe counters. ``by_field`` counts root fields that were executed,
    ``received_by_field`` those that arrived (including throttled or faulted requests)."""

    requests: int = 0
    throttled: int = 0
    cost_refused: int = 0
    unauthorized: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)
    by_field: Counter[str] = field(default_factory=Counter)
    received_by_field: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def count(self, name: str, amount: int = 1) -> None:
        """Bump a plain counter (``throttled``, ``cost_refused``, ``unauthorized``)."""
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def count_received(self, operation_name: str | None, root_fields: list[str]) -> None:
        with self._lock:
            self.by_operation[operation_name or "<anonymous>"] += 1
            self.received_by_field.update(root_fields)

    def count_executed(self, root_fields: list[str]) -> None:
        with self._lock:
            self.by_field.update(root_fields)

    def count_fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def reset(self) -> None:
        with self._lock:
            self.requests = self.throttled = self.cost_refused = self.unauthorized = 0
            for counter in (self.by_operation, self.by_field, self.received_by_field, self.faults):
                counter.clear()

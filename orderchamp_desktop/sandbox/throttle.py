"""The cost-based leaky bucket of the live API."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any


class LeakyBucket:
    """``remaining`` starts full and restores at ``restore_rate`` points per second.

    A query is admitted when remaining >= min(requested cost, bucket size); it then reserves its
    requested cost and is refunded the difference to its actual cost once executed, so concurrent
    requests cannot overdraw the bucket between admission and execution. A query dearer than the
    whole bucket can be admitted on a full bucket and leaves it in debt (remaining below zero).
    """

    def __init__(self, size: int, restore_rate: float, clock: Callable[[], float]) -> None:
        self.size = size
        self.restore_rate = restore_rate
        self._clock = clock
        self._lock = threading.Lock()
        self._remaining = float(size)
        self._updated = clock()

    def _restore(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        # Rounded so that waiting exactly deficit/rate seconds is enough despite float error.
        self._remaining = min(float(self.size), round(self._remaining + elapsed * self.restore_rate, 6))
        self._updated = now

    @property
    def remaining(self) -> float:
        with self._lock:
            self._restore()
            return self._remaining

    def try_admit(self, requested: int) -> bool:
        """Reserve ``requested`` points if the query may run now."""
        with self._lock:
            self._restore()
            if self._remaining < min(requested, self.size):
                return False
            self._remaining -= requested
            return True

    def settle(self, requested: int, actual: int) -> None:
        """Give back what a query reserved but did not use."""
        with self._lock:
            self._restore()
            self._remaining = min(float(self.size), self._remaining + requested - actual)

    def refill(self) -> None:
        """Fill the bucket (tests)."""
        with self._lock:
            self._remaining = float(self.size)
            self._updated = self._clock()

    def report(self, requested: int, actual: int) -> dict[str, Any]:
        """The ``extensions.throttle`` object of a response."""
        rate: float | int = (
            int(self.restore_rate) if float(self.restore_rate).is_integer() else self.restore_rate
        )
        return {
            "requestedCost": requested,
            "actualCost": actual,
            "limit": self.size,
            "remaining": math.floor(self.remaining),
            "restoreRate": rate,
        }

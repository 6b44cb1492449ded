"""Small typed results of the API client: pages, the throttle bucket, counters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Page:
    """One page of a Relay connection, as returned by :meth:`ApiClient.paginate`."""

    nodes: list[dict[str, Any]]
    end_cursor: str | None
    has_next: bool
    total_count: int | None = None
    requested_cost: int | None = None
    #: The answer carried errors that left no null in it (kept, but logged): a full pass
    #: that saw one does not drop rows it did not see.
    partial: bool = False


def _number(value: object) -> float | None:
    """A JSON number as float (answers are parsed with Decimal fractions; bucket maths is float)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value)


@dataclass(frozen=True)
class ThrottleState:
    """The cost bucket as the server last reported it (``extensions.throttle``).

    ``observed_at`` is the client's monotonic clock when the answer arrived. The server
    computed ``remaining`` slightly earlier, so predicting from our own receipt time errs on
    the safe side (the bucket is really a little fuller than we think).
    """

    limit: float
    remaining: float
    restore_rate: float
    observed_at: float
    requested_cost: float | None = None
    actual_cost: float | None = None

    @classmethod
    def from_extensions(cls, extensions: object, observed_at: float) -> ThrottleState | None:
        """Read ``extensions.throttle``; None when it is absent or unusable."""
        if not isinstance(extensions, Mapping):
            return None
        raw = extensions.get("throttle")
        if not isinstance(raw, Mapping):
            return None
        limit, remaining = _number(raw.get("limit")), _number(raw.get("remaining"))
        rate = _number(raw.get("restoreRate"))
        if limit is None or remaining is None or rate is None or limit <= 0:
            return None
        return cls(
            limit=limit,
            remaining=max(0.0, remaining),
            restore_rate=max(0.0, rate),
            observed_at=observed_at,
            requested_cost=_number(raw.get("requestedCost")),
            actual_cost=_number(raw.get("actualCost")),
        )

    def predict_remaining(self, now: float) -> float:
        """Points in the bucket at ``now``: it refills linearly and never beyond ``limit``."""
        elapsed = max(0.0, now - self.observed_at)
        return min(self.limit, self.remaining + self.restore_rate * elapsed)


@dataclass
class ClientStats:
    """Counters for benchmarks, logs and tests (never contains secrets)."""

    requests: int = 0
    throttled: int = 0
    retries: int = 0
    total_actual_cost: float = 0.0
    total_requested_cost: float = 0.0
    #: Seconds spent waiting for the cost bucket before sending (pacing, not retries).
    paced_seconds: float = 0.0
    #: Seconds spent waiting between retries (backoff, Retry-After).
    backoff_seconds: float = 0.0
    requests_by_operation: dict[str, int] = field(default_factory=dict)

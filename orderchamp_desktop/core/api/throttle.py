"""Pacing against Orderchamp's cost bucket, and page sizes that fit under it.

The server admits a query when ``remaining >= min(requestedCost, limit)`` and then takes
``actualCost`` out of the bucket, which refills at ``restoreRate`` points per second. If we
send each request only when the bucket (predicted from the last ``extensions.throttle``)
already covers the request's expected cost, the server never has to answer "Throttled",
and a long sync takes about ``total actualCost / restoreRate`` seconds: the bound.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from orderchamp_desktop.core.api.types import ThrottleState

#: Largest ``first`` Orderchamp accepts on a connection.
MAX_PAGE_SIZE = 250
#: Page size of the first page of an adaptive pagination: small, to learn the cost per node.
PROBE_PAGE_SIZE = 10
#: Single-query cost ceiling seen on the live API, until an error tells us otherwise.
DEFAULT_MAX_QUERY_COST = 2000
#: Share of the bucket / ceiling a page may request: headroom for a cost model that is off.
BUDGET_SHARE = 0.9
#: Points of slack when waiting, for rounding on the server side.
_EPSILON = 0.5


@dataclass
class CostModel:
    """Requested cost of one paginated operation as a function of its page size ``first``.

    A connection costs ``base + per_node * first``: two observations give both exactly.
    With one observation we assume the whole cost scales with ``first``, which overestimates
    for bigger pages (safe) and is corrected as soon as the bigger page has been seen.
    """

    observed: dict[int, float] = field(default_factory=dict)

    def observe(self, first: int, requested_cost: float) -> None:
        if first > 0 and requested_cost >= 0:
            self.observed[first] = requested_cost

    def estimate(self, first: int) -> float | None:
        if first in self.observed:
            return self.observed[first]
        if not self.observed:
            return None
        base, per_node = self._line()
        return base + per_node * first

    def largest_page(self, budget: float, cap: int = MAX_PAGE_SIZE) -> int | None:
        """The biggest ``first`` whose estimated cost stays within ``budget`` (None: no data)."""
        if not self.observed:
            return None
        base, per_node = self._line()
        if per_node <= 0:
            return cap
        return max(1, min(cap, math.floor((budget - base) / per_node)))

    def _line(self) -> tuple[float, float]:
        """(base, per_node) through the two most distant observations."""
        sizes = sorted(self.observed)
        low, high = sizes[0], sizes[-1]
        if low == high:
            return 0.0, self.observed[low] / low
        per_node = max(0.0, (self.observed[high] - self.observed[low]) / (high - low))
        return max(0.0, self.observed[low] - per_node * low), per_node


class Pacer:
    """Waits until the predicted bucket covers a request, then reserves its cost.

    Requests still in flight hold a reservation, so two concurrent tasks (a sync and a
    user's shipment, say) do not both spend the same predicted points. The lock makes the
    check-then-reserve atomic and serves waiters in order.
    """

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], Awaitable[object]]) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._tickets = itertools.count()
        self._in_flight: dict[int, float] = {}
        self._released = asyncio.Event()
        self.state: ThrottleState | None = None

    def predicted_remaining(self) -> float | None:
        if self.state is None:
            return None
        return self.state.predict_remaining(self._clock()) - sum(self._in_flight.values())

    def wait_needed(self, expected_cost: float) -> float:
        """Seconds until the bucket covers ``expected_cost`` (0 when unknown or already there)."""
        state, predicted = self.state, self.predicted_remaining()
        if state is None or predicted is None or state.restore_rate <= 0:
            return 0.0
        needed = min(expected_cost + _EPSILON, state.limit)
        if predicted + 1e-6 >= needed:  # float noise must not cause an endless string of tiny sleeps
            return 0.0
        return (needed - predicted) / state.restore_rate

    async def acquire(self, expected_cost: float) -> tuple[int, float]:
        """Wait for the bucket, reserve ``expected_cost``; returns (ticket, seconds waited)."""
        started = self._clock()
        async with self._lock:
            while (delay := self.wait_needed(expected_cost)) > 0:
                await self._pause(delay)
            ticket = next(self._tickets)
            self._in_flight[ticket] = expected_cost
        return ticket, max(0.0, self._clock() - started)

    async def _pause(self, delay: float) -> None:
        """Sleep ``delay``, or less when a request in flight ends: its answer reports the
        real bucket, usually fuller than our reservation of its whole requested cost."""
        if not self._in_flight:
            await self._sleep(delay)
            return
        self._released.clear()
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waiter = asyncio.ensure_future(self._released.wait())
        _, pending = await asyncio.wait({sleeper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def release(self, ticket: int, state: ThrottleState | None) -> None:
        """The request is over; ``state`` is what its answer reported (if anything)."""
        self._in_flight.pop(ticket, None)
        if state is not None:
            self.state = state
        self._released.set()


def page_budget(state: ThrottleState | None, max_query_cost: float) -> float:
    """Requested cost one page may have: under the bucket and the single-query ceiling."""
    ceiling = max_query_cost if state is None else min(state.limit, max_query_cost)
    return BUDGET_SHARE * ceiling

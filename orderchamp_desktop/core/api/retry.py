"""When and how long to wait before trying a failed request again."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter (delay drawn from 0..base*2^attempt, capped).

    Full jitter spreads retries of many clients (and of our own concurrent tasks) over the
    window instead of hitting the server in lockstep after an outage.
    """

    max_retries: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    #: A Retry-After longer than this is not waited out: the user gets ThrottledError.
    max_retry_after: float = 120.0
    #: Connect and DNS failures are retried fewer times so "you are offline" comes quickly.
    offline_retries: int = 2

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Delay before retry number ``attempt + 1`` (attempt counts from 0)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** min(attempt, 30)))
        return rng.uniform(0.0, ceiling)

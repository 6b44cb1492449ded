"""Helpers shared by the API client and pacing tests (this module holds no tests itself)."""

from __future__ import annotations

import asyncio


class FakeTime:
    """Monotonic clock and sleep that only move when the code under test sleeps."""

    #: Where the clock starts; a module's subclass may start it elsewhere.
    start = 100.0

    def __init__(self) -> None:
        self.now = self.start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

"""Store calls off the event loop: one worker-thread call at a time, safe under cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from orderchamp_desktop.core.cache import Store

P = ParamSpec("P")
T = TypeVar("T")


class StoreWorker:
    """Runs blocking Store work via ``asyncio.to_thread`` and never lets two calls overlap.

    A thread cannot be interrupted. When the awaiting task is cancelled mid-call, the call
    still runs to its end (its transaction commits or rolls back as a whole) before the
    cancellation goes on, so the Store is never closed under a running statement.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    async def open(cls, path: Path) -> StoreWorker:
        store = await asyncio.to_thread(Store, path, check_same_thread=False)
        return cls(store)

    async def __call__(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        task = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait([task])
            raise

    async def close(self) -> None:
        await self(self.store.close)

    def __repr__(self) -> str:
        return f"StoreWorker({self.store.path})"


"""The Store: one SQLite file per account, read by the views and written by sync/actions.

Thread use: a sqlite3 connection belongs to one thread at a time. The UI opens its own
Store; the sync writer opens another (``check_same_thread=False``) and uses it from
``asyncio.to_thread`` calls that never overlap. WAL lets the UI read while sync writes.
"""

from __future__ import annotations

from orderchamp_desktop.core.cache.reads import StoreReads
from orderchamp_desktop.core.cache.writes import StoreWrites


class Store(StoreReads, StoreWrites):
    """``Store(path, *, create=True, check_same_thread=True, verify=True)``.

    Opening creates the file (mode 0600) if needed, migrates it, sets a damaged file aside
    (``recovered_from_corruption`` then says so, ``corrupt_copy`` is where it went) and
    refuses a file from a newer app version with CacheTooNewError without touching it.
    ``verify=False`` skips the page check on open (for short-lived helper connections).
    """

"""An empty inbox says "all shipped" only after a finished sync, never while orders download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.ui.changes import ChangeBus
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.fulfilment.inbox import EMPTY_BEFORE_FIRST_SYNC, EMPTY_WHEN_SYNCED, InboxView


def test_empty_inbox_text_follows_the_first_sync(qtbot: Any, tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite3")
    source = DataSource(ChangeBus())
    source.set_store(store)
    inbox = InboxView(source)
    qtbot.addWidget(inbox)
    try:
        assert inbox.count == 0
        assert inbox.table.empty_text == EMPTY_BEFORE_FIRST_SYNC

        with store.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_synced_at', ?)",
                         ("2026-11-22T08:00:00Z",))
        inbox.reload()
        assert inbox.table.empty_text == EMPTY_WHEN_SYNCED
    finally:
        source.set_store(None)
        store.close()

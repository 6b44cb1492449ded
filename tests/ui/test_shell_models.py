"""The table models over a real cache file, and the TaskRunner on a real qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.errors import OfflineError
from orderchamp_desktop.qt_async import TaskRunner, pump_until
from orderchamp_desktop.ui.changes import ORDERS, ChangeBus, Changes
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.orders.model import CREATED, NUMBER, STATUS, TOTAL, OrdersModel
from orderchamp_desktop.ui.table_model import DISPLAY_ROLE, FOREGROUND_ROLE, ID_ROLE


def _order(i: int, *, status: str = "COMPLETED", total: str = "10.00",
           city: str = "Leiden") -> dict[str, Any]:
    return {
        "id": f"T3JkZXI6{i:06d}", "number": f"#ORD{100000 + i}", "status": status,
        "isConfirmed": True, "isCancelled": status == "CANCELLED", "isFulfilled": status == "COMPLETED",
        "createdAt": f"2024-01-{i % 28 + 1:02d}T10:00:00Z", "totalPrice": total, "currency": "EUR",
        "shippingAddress": {"companyName": f"Winkel {i}", "city": city},
        "products": {"nodes": [{"id": f"L{i}", "title": "Linen cushion", "sku": f"SKU-{i}",
                                "quantity": 2, "unshippedQuantity": 0, "unitPrice": "5.00"}],
                     "pageInfo": {"hasNextPage": False}},
        "shipments": {"nodes": [], "pageInfo": {"hasNextPage": False}},
    }


@pytest.fixture
def source(tmp_path: Path, qapp: Any) -> Iterator[DataSource]:
    store = Store(tmp_path / "cache.sqlite3")
    orders = [_order(i, total=f"{i * 3 % 50}.25") for i in range(1, 500)]
    orders.append(_order(500, status="AWAITING_FULFILMENT", total="1234.50", city="Maastricht"))
    orders.append(_order(501, status="FUTURE_STATUS_X"))  # unknown to the app: shown as is
    store.apply_orders(orders, run=1)
    data = DataSource(ChangeBus())
    data.set_store(store)
    yield data
    data.set_store(None)
    store.close()


def test_orders_model_reads_blocks_sorts_and_searches_in_sql(source: DataSource) -> None:
    model = OrdersModel(source)
    model.reload()
    assert model.rowCount() == 501
    # Newest first by default; unknown statuses are shown readably, not dropped.
    statuses = {model.text_at(r, STATUS) for r in range(model.rowCount())}
    assert "Future status x" in statuses
    model.sort(TOTAL, Qt.SortOrder.DescendingOrder)
    assert model.text_at(0, TOTAL) == "€1,234.50"
    assert model.data(model.index(0, NUMBER), ID_ROLE) == "T3JkZXI6000500"
    assert model.data(model.index(0, STATUS), FOREGROUND_ROLE) is not None  # needs fulfilment: coloured
    assert model.data(model.index(0, NUMBER), int(Qt.ItemDataRole.DecorationRole)) is None
    model.sort(TOTAL, Qt.SortOrder.AscendingOrder)
    totals = [Decimal(model.text_at(r, TOTAL).lstrip("€").replace(",", "")) for r in range(model.rowCount())]
    assert totals == sorted(totals)
    model.search = "Maastricht"
    model.reload()
    assert model.rowCount() == 1 and model.text_at(0, NUMBER) == "#ORD100500"
    model.search = 'NEAR("x" *'  # FTS syntax is never an error
    model.reload()
    assert model.rowCount() == 0
    model.search, model.view = "", "needs_action"
    model.reload()
    needs = {model.text_at(r, NUMBER) for r in range(model.rowCount())}
    assert needs == {"#ORD100500", "#ORD100501"}  # confirmed, not cancelled, not fulfilled


def test_orders_model_loads_only_the_blocks_it_shows(source: DataSource) -> None:
    model = OrdersModel(source)
    model.reload()
    model.data(model.index(0, CREATED), DISPLAY_ROLE)
    model.data(model.index(450, CREATED), DISPLAY_ROLE)
    far = 450 // model.block_size
    assert far > 1 and sorted(model._blocks) == [0, far]  # the first block and row 450's
    model.refresh_ids(frozenset({model.id_at(0) or ""}))
    assert sorted(model._blocks) == [far]


def test_task_runner_latest_wins_keeps_references_and_shuts_down(qloop: Any) -> None:
    errors: list[BaseException] = []
    runner = TaskRunner(on_error=errors.append)
    finished: list[str] = []

    async def search(text: str) -> str:
        await asyncio.sleep(0.05)
        finished.append(text)
        return text

    first = runner.latest("search", search("a"))
    second = runner.latest("search", search("ab"))
    assert pump_until(second.done, 2)
    assert first.cancelled() and finished == ["ab"]

    async def offline() -> None:
        raise OfflineError()

    runner.spawn(offline(), name="sync")
    assert pump_until(lambda: bool(errors), 2)
    assert isinstance(errors[0], OfflineError) and runner.unexpected == []

    async def forever() -> None:
        await asyncio.sleep(3600)

    task = runner.spawn(forever(), name="autosync")
    assert len(runner) == 1  # the runner holds the only strong reference
    done = qloop.create_task(runner.shutdown(grace=0.5))
    assert pump_until(done.done, 2)
    assert task.cancelled()
    with pytest.raises(RuntimeError):
        runner.spawn(forever())


def test_change_notices_reach_views_from_any_thread(qloop: Any) -> None:
    import threading

    bus = ChangeBus()
    seen: list[Changes] = []
    bus.changed.connect(seen.append)
    thread = threading.Thread(target=lambda: bus.publish(Changes.of(ORDERS, ids=["a"], source="sync")))
    thread.start()
    thread.join()
    assert pump_until(lambda: bool(seen), 2)
    assert seen[0].touches_id(ORDERS, "a") and not seen[0].touches_id(ORDERS, "b")
    assert Changes.everything().touches_id(ORDERS, "anything")

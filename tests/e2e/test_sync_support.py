"""Helpers for the sync end-to-end tests (no tests here).

``expected_world`` reads the sandbox's own state; ``cached_world`` reads what the app
exported from its cache (through the JSON export, the same path ``orderchamp-desktop
export`` uses). Both produce the same plain structure, so a test compares them whole:
nothing missing, nothing duplicated, nothing different.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from orderchamp_desktop.core.api import ApiClient
from orderchamp_desktop.core.cache import Store
from orderchamp_desktop.core.documents.export import export
from orderchamp_desktop.core.errors import Progress
from orderchamp_desktop.core.sync import Syncer, SyncResult, Tuning
from orderchamp_desktop.sandbox import SandboxServer

World = dict[str, dict[str, Any]]


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else format(amount, "f")


def expected_world(server: SandboxServer) -> World:
    state = server.state
    with state.lock:
        orders = {o.id: {
            "number": o.number, "status": o.status, "is_confirmed": o.is_confirmed,
            "is_cancelled": o.is_cancelled, "is_fulfilled": o.is_fulfilled,
            "total_price": _money(o.total_price), "updated_at": _time(o.updated_at),
            "retailer": (o.shipping_address.company_name or o.billing_address.company_name
                         or o.shipping_address.name or o.billing_address.name),
            "lines": [(line.id, line.sku, line.quantity, line.unshipped_quantity, _money(line.unit_price))
                      for line in o.lines],
            "shipments": [(s.id, s.status, s.tracking_number,
                           [(i.id, i.order_product.id, i.quantity) for i in s.items]) for s in o.shipments],
        } for o in state.orders}
        products = {p.id: {
            "title": p.title,
            "variants": [(v.id, v.sku, v.inventory_quantity, _money(v.price),
                          sorted((level.location.id, level.quantity) for level in v.levels.values()))
                         for v in p.variants],
        } for p in state.products}
        invoices = {i.id: {
            "number": i.number, "status": i.status, "total_price": _money(i.total_price),
            "order_id": i.order.id if i.order else None,
            "items": [(item.id, item.quantity, _money(item.total_price)) for item in i.items],
        } for i in state.invoices}
        locations = {loc.id: {"name": loc.name, "is_primary": loc.is_primary} for loc in state.locations}
    return {"orders": orders, "products": products, "invoices": invoices, "locations": locations}


def exported(store: Store, entity: str) -> list[dict[str, Any]]:
    buffer = io.StringIO()
    count = export(store, entity, "json", buffer)
    records: list[dict[str, Any]] = json.loads(buffer.getvalue())
    assert len(records) == count
    return records


def _unique(records: list[dict[str, Any]], key: str = "id") -> dict[str, dict[str, Any]]:
    duplicates = [k for k, n in Counter(r[key] for r in records).items() if n > 1]
    assert not duplicates, f"duplicated in the cache: {duplicates[:5]}"
    return {r[key]: r for r in records}


def cached_world(path: Path) -> World:
    with Store(path) as store:
        orders = {i: {
            "number": o["number"], "status": o["status"], "is_confirmed": o["is_confirmed"],
            "is_cancelled": o["is_cancelled"], "is_fulfilled": o["is_fulfilled"],
            "total_price": o["total_price"], "updated_at": o["updated_at"], "retailer": o["retailer"],
            "lines": [(line["id"], line["sku"], line["quantity"], line["unshipped_quantity"],
                       line["unit_price"]) for line in o["lines"]],
            "shipments": [(s["id"], s["status"], s["tracking_number"],
                           [(i["id"], i["order_product_id"], i["quantity"]) for i in s["items"]])
                          for s in o["shipments"]],
        } for i, o in _unique(exported(store, "orders")).items()}
        levels = {r["variant_id"]: sorted((lv["location_id"], lv["quantity"]) for lv in r["levels"])
                  for r in exported(store, "inventory")}
        products = {i: {
            "title": p["title"],
            "variants": [(v["id"], v["sku"], v["inventory_quantity"], v["price"], levels[v["id"]])
                         for v in p["variants"]],
        } for i, p in _unique(exported(store, "products")).items()}
        invoices = {i: {
            "number": v["number"], "status": v["status"], "total_price": v["total_price"],
            "order_id": v["order_id"],
            "items": [(item["id"], item["quantity"], item["total_price"]) for item in v["items"]],
        } for i, v in _unique(exported(store, "invoices")).items()}
        locations = {loc.id: {"name": loc.name, "is_primary": loc.is_primary} for loc in store.locations()}
    return {"orders": orders, "products": products, "invoices": invoices, "locations": locations}


def assert_same_world(path: Path, server: SandboxServer) -> None:
    """Entity by entity, so a failure names what is missing, extra or different."""
    cached, expected = cached_world(path), expected_world(server)
    for entity in expected:
        missing = expected[entity].keys() - cached[entity].keys()
        extra = cached[entity].keys() - expected[entity].keys()
        assert not missing, f"{len(missing)} {entity} missing from the cache"
        assert not extra, f"{len(extra)} {entity} in the cache but not on the server"
        different = [k for k in expected[entity] if expected[entity][k] != cached[entity][k]]
        assert not different, (f"{len(different)} {entity} differ, e.g. {different[0]}: "
                               f"{expected[entity][different[0]]} != {cached[entity][different[0]]}")


async def sync(server: SandboxServer, path: Path, *, full: bool | None = None,
               tuning: Tuning | None = None, progress: list[Progress] | None = None) -> SyncResult:
    async with ApiClient(server.url, server.token) as client:
        syncer = Syncer(client, path, tuning=tuning,
                        on_progress=progress.append if progress is not None else None)
        return await syncer.run(full=full)


def run_sync(server: SandboxServer, path: Path, **kwargs: Any) -> SyncResult:
    return asyncio.run(sync(server, path, **kwargs))

"""SQLite cache of one Orderchamp account: what the app shows, offline included."""

from orderchamp_desktop.core.cache.base import CacheMissingError
from orderchamp_desktop.core.cache.lock import InstanceLock
from orderchamp_desktop.core.cache.rows import (
    AccountRow,
    Address,
    InventoryMatrix,
    InventoryRow,
    InvoiceDetail,
    InvoiceItemRow,
    InvoiceRef,
    InvoiceRow,
    LocationRow,
    OrderDetail,
    OrderLine,
    OrderRow,
    ProductRow,
    ShipmentItem,
    ShipmentRow,
    SyncState,
    VariantRow,
)
from orderchamp_desktop.core.cache.schema import LATEST_VERSION
from orderchamp_desktop.core.cache.search import match_query
from orderchamp_desktop.core.cache.store import Store

__all__ = [
    "LATEST_VERSION",
    "AccountRow",
    "Address",
    "CacheMissingError",
    "InstanceLock",
    "InventoryMatrix",
    "InventoryRow",
    "InvoiceDetail",
    "InvoiceItemRow",
    "InvoiceRef",
    "InvoiceRow",
    "LocationRow",
    "OrderDetail",
    "OrderLine",
    "OrderRow",
    "ProductRow",
    "ShipmentItem",
    "ShipmentRow",
    "Store",
    "SyncState",
    "VariantRow",
    "match_query",
]

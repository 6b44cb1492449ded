"""Helpers shared by the cache tests (this module holds no tests itself).

Nodes are shaped exactly like the API's answers (camelCase, Relay connections), so the
tests exercise the same write path a sync uses.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

STATUSES = ("AWAITING_CONFIRMATION", "AWAITING_FULFILMENT", "FULFILMENT_IN_PROGRESS",
            "AWAITING_DELIVERY", "COMPLETED", "CANCELLED", "ATTENTION_REQUIRED")
RETAILERS = ("Café Ünïcode", "Maison Lumière Brugge", "Boekhandel De Vries", "Zeeman & Zonen",
             "أزهار المدينة", "Kinderwinkel 🧸 Utrecht", "O'Brien Gifts", "\"Quoted\" Store", None)
CITIES = ("Amsterdam", "Brugge", "Köln", "Utrecht", "Liège", "Zürich", None)
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def line_node(order: int, index: int, rng: random.Random) -> dict[str, Any]:
    quantity = rng.randint(1, 12)
    price = Decimal(rng.randint(100, 9999)) / 100
    return {
        "id": f"L{order}-{index}", "brand": "Studio Zonnig", "title": rng.choice(
            ("Stoneware mug", "Baby bib", "Linen tea towel", "Greeting card", "Wooden toy")),
        "variantTitle": rng.choice(("Ochre", "Small", "Forest green", None)),
        "sku": f"SZ-{rng.choice(('MUG', 'BIB', 'TEA'))}-{order % 97:04d}-{index:02d}",
        "ean": str(8719327100000 + order * 10 + index), "caseQuantity": 1, "quantity": quantity,
        "unshippedQuantity": rng.randint(0, quantity), "unitPrice": str(price),
        "subtotalPrice": str(price * quantity), "taxPrice": "0.00", "totalPrice": str(price * quantity),
    }


def order_node(i: int, rng: random.Random, *, lines: int | None = None) -> dict[str, Any]:
    status = rng.choice(STATUSES)
    created = BASE + timedelta(minutes=rng.randint(0, 500_000))
    confirmed = status not in ("AWAITING_CONFIRMATION",)
    cancelled = status == "CANCELLED"
    total = Decimal(rng.randint(0, 500_000)) / 100
    count = lines if lines is not None else rng.randint(1, 5)
    return {
        "id": f"O{i:06d}", "number": f"#ORD{i:06d}", "reference": rng.choice((f"PO-{i}", None)),
        "status": status, "isPaid": confirmed, "isConfirmed": confirmed, "isCancelled": cancelled,
        "isFulfilled": status in ("AWAITING_DELIVERY", "COMPLETED"),
        "createdAt": iso(created), "updatedAt": iso(created + timedelta(hours=5)),
        "confirmedAt": iso(created + timedelta(hours=2)) if confirmed else None,
        "currency": "EUR", "subtotalPrice": str(total), "shippingPrice": "9.95", "taxPrice": "0.00",
        "totalPrice": str(total), "productsCount": count,
        "shippingAddress": {"companyName": rng.choice(RETAILERS), "city": rng.choice(CITIES),
                            "country": "NL"},
        "billingAddress": {"companyName": "Billing BV", "city": "Den Haag", "country": "NL"},
        "products": {"nodes": [line_node(i, n, rng) for n in range(count)],
                     "pageInfo": {"hasNextPage": False}},
        "shipments": {"nodes": [], "pageInfo": {"hasNextPage": False}},
    }


def orders(count: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [order_node(i, rng) for i in range(count)]


def product_node(i: int, locations: list[str], variants: int = 3) -> dict[str, Any]:
    return {
        "id": f"P{i}", "title": f"Product {i}", "brand": "Studio Zonnig",
        "category": {"path": "HOME_LIVING_KITCHEN_MUGS"}, "featuredImage": {"originalUrl": f"https://x/{i}.png"},
        "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z",
        "variants": {"nodes": [{
            "id": f"V{i}-{n}", "title": f"Variant {n}", "sku": f"SKU-{i}-{n}", "ean": f"{i}{n}",
            "price": f"{n + 1}.50", "msrp": "9.99", "inventoryQuantity": 10 * n,
            "inventoryPolicy": "DENY", "tags": ["HANDMADE"],
            "inventoryLevels": {"nodes": [{"id": f"IL{i}-{n}-{k}", "quantity": n + k,
                                           "location": {"id": loc}, "updatedAt": "2024-01-02T00:00:00Z"}
                                          for k, loc in enumerate(locations)]},
        } for n in range(variants)], "pageInfo": {"hasNextPage": False}},
    }

"""Seeded generation of the brand: account, warehouses and a gift/home/kids/stationery catalogue."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from .model import Account, Address, Image, InventoryLevel, Location, Product, ProductVariant
from .state import SandboxState

BRAND = "Studio Zonnig"
TAG_VALUES = ("ECO_FRIENDLY", "HANDMADE", "ORGANIC", "SOCIAL", "DUTCH_DESIGN")
GS1_PREFIX = "8719327"  # a Dutch (871) company prefix: 7 digits, then a 5-digit item reference


def ean13_check_digit(first12: str) -> str:
    """The EAN-13 check digit: weights 1,3,1,3... from the left over the first 12 digits."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first12))
    return str((10 - total % 10) % 10)


def ean13(item: int) -> str:
    body = f"{GS1_PREFIX}{item:05d}"
    return body + ean13_check_digit(body)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of product the brand makes and how its variants differ."""

    code: str
    category: str
    names: tuple[str, ...]
    dimensions: tuple[tuple[str, tuple[str, ...]], ...]  # (option name, possible values)
    price: tuple[str, str]
    case_quantities: tuple[int, ...]
    materials: tuple[str, ...]
    hs_code: str


COLORS = ("Ochre", "Sage", "Terracotta", "Sky blue", "Sand", "Ink", "Blush", "Forest green", "Mustard")
KINDS: tuple[Kind, ...] = (
    Kind(
        "MUG",
        "HOME_LIVING_KITCHEN_MUGS",
        ("Stoneware mug", "Espresso cup", "Enamel mug"),
        (("Color", COLORS),),
        ("6.50", "9.95"),
        (4, 6),
        ("CERAMIC",),
        "691200",
    ),
    Kind(
        "TWL",
        "HOME_LIVING_KITCHEN_TEA_TOWELS",
        ("Linen tea towel", "Waffle tea towel"),
        (("Color", COLORS),),
        ("7.50", "11.50"),
        (4,),
        ("LINEN", "COTTON"),
        "630260",
    ),
    Kind(
        "CUS",
        "HOME_LIVING_PILLOWS_PLAIDS_PILLOWS",
        ("Velvet cushion", "Linen cushion cover"),
        (("Size", ("40×40 cm", "45×45 cm", "30×50 cm")), ("Color", COLORS)),
        ("17.50", "29.95"),
        (2,),
        ("COTTON", "LINEN"),
        "940490",
    ),
    Kind(
        "PLD",
        "HOME_LIVING_PILLOWS_PLAIDS_PLAIDS",
        ("Wool plaid", "Cotton throw"),
        (("Color", COLORS),),
        ("34.95", "59.95"),
        (1, 2),
        ("WOOL", "COTTON"),
        "630140",
    ),
    Kind(
        "BIB",
        "KIDS_BABY_BABY_ESSENTIALS_BIBS",
        ("Baby bib", "Bandana bib"),
        (("Color", ("Pink", "Yellow", "Mint", "Lilac", "Oat")),),
        ("5.95", "8.95"),
        (3, 6),
        ("COTTON",),
        "611120",
    ),
    Kind(
        "ROM",
        "KIDS_BABY_BABY_ESSENTIALS_ROMPERS",
        ("Organic romper", "Ribbed romper"),
        (
            ("Size", ("0-3 months", "3-6 months", "6-12 months", "12-18 months")),
            ("Color", ("Pink", "Yellow", "Mint")),
        ),
        ("12.95", "18.95"),
        (3,),
        ("COTTON",),
        "611120",
    ),
    Kind(
        "TOY",
        "KIDS_BABY_TOYS_WOODEN_TOYS",
        ("Wooden stacking toy", "Pull-along toy", "Wooden puzzle"),
        (("Option", ("Natural", "Pastel", "Rainbow")),),
        ("9.95", "24.95"),
        (2, 4),
        ("WOOD",),
        "950300",
    ),
    Kind(
        "CRD",
        "STATIONERY_CARDS_GREETING_CARDS",
        ("Greeting card", "Folded card"),
        (("Option", ("Single card", "Set of 6")),),
        ("1.25", "1.95"),
        (6, 12),
        ("PAPER",),
        "490900",
    ),
    Kind(
        "JRN",
        "STATIONERY_NOTEBOOKS_JOURNALS",
        ("Dotted journal A5", "Lined notebook A6", "Weekly planner"),
        (("Color", COLORS),),
        ("7.95", "14.95"),
        (4, 6),
        ("PAPER",),
        "482010",
    ),
    Kind(
        "SCF",
        "FASHION_ACCESSORIES_SCARVES",
        ("Silk scarf", "Wool scarf"),
        (("Color", COLORS),),
        ("14.95", "39.95"),
        (2,),
        ("WOOL",),
        "621410",
    ),
    Kind(
        "BAG",
        "FASHION_ACCESSORIES_BAGS",
        ("Canvas tote bag", "Market bag", "Zip pouch"),
        (("Color", COLORS),),
        ("9.95", "24.95"),
        (3,),
        ("COTTON", "LEATHER"),
        "420222",
    ),
)
MOTIFS = (
    "Goedemorgen",
    "Tulip field",
    "Canal houses",
    "Wild meadow",
    "Stripes",
    "Little fox",
    "Windmill",
    "Terrazzo",
    "Polka dot",
    "Dune grass",
    "Sunday market",
    "Herring & chips",
    "Bicycle bell",
    "Lighthouse",
    "North Sea",
    "Gezellig",
    "Wadden",
    "Peony",
    "Olive branch",
    "Starry night",
    "Kleine beer",
    "Citrus",
    "Botanical",
    "Sunrise",
    "Heron",
    "Checkerboard",
    "Forget-me-not",
    "Rainbow",
    "Honeybee",
    "Fika",
)
DESCRIPTIONS = (
    "Designed in our Amsterdam studio and made in small batches.",
    "A little everyday luxury that makes a lovely gift.",
    "Soft colours that mix and match with the rest of the collection.",
    "Packed in a recycled gift box, ready to sell.",
)
SPECIAL_DESCRIPTIONS = (
    "Perfect gift 🎁 for new parents 👶 — bestseller in spring! 🌷",
    "<b>Bestseller</b> & back in stock: order early for the holidays <i>(limited run)</i>.",
    "هدية مثالية لكل مناسبة — A perfect gift for every occasion.",
    "מתנה מושלמת: a perfect gift, printed in Haarlem.",
    "Prices & sizes: 5 > 3 < 7 — \"quotes\" and 'apostrophes' survive the trip.",
    "Schöne Grüße aus Amsterdam! Idéal pour les fêtes. Ça marche très bien. 😊",
)


def generate_catalog(state: SandboxState, rng: random.Random) -> None:
    """Account, locations and products with variants, images and inventory."""
    state.account = _account(state)
    state.locations = [_location(state, index) for index in range(max(1, state.config.locations))]
    ean_items = iter(range(10_000, 99_999))
    for index in range(state.config.products):
        product = _product(state, rng, index, ean_items)
        state.products.append(state.register(product))


def _account(state: SandboxState) -> Account:
    gid, num = state.new_id("Account")
    address = Address(
        f"{BRAND} B.V.",
        "Sanne de Vries",
        "Keizersgracht",
        "241-A",
        "1016 EA",
        "Amsterdam",
        "NL",
        "+31 20 123 4567",
    )
    return state.register(Account(gid, num, BRAND, "hello@studiozonnig.nl", "EUR", address, "NL862345678B01"))


LOCATIONS = (
    (
        "Studio Zonnig Amsterdam",
        False,
        Address(f"{BRAND} B.V.", None, "Keizersgracht", "241-A", "1016 EA", "Amsterdam", "NL"),
    ),
    (
        "Magazijn Utrecht",
        False,
        Address(f"{BRAND} B.V.", None, "Cartesiusweg", "90", "3534 BD", "Utrecht", "NL"),
    ),
    (
        "Orderchamp Fulfilment Antwerpen",
        True,
        Address("Orderchamp Fulfilment", None, "Noorderlaan", "147", "2030", "Antwerpen", "BE"),
    ),
)


def _location(state: SandboxState, index: int) -> Location:
    gid, num = state.new_id("Location")
    if index < len(LOCATIONS):
        name, fulfilment_centre, address = LOCATIONS[index]
    else:
        name, fulfilment_centre = f"Extra warehouse {index + 1}", False
        address = Address(f"{BRAND} B.V.", None, "Industrieweg", str(index), "3600 AA", "Maarssen", "NL")
    return state.register(Location(gid, num, name, index == 0, fulfilment_centre, address))


def _cdn_url(rng: random.Random) -> str:
    token = uuid.UUID(int=rng.getrandbits(128), version=4)
    return f"https://cdn.orderchamp.com/products/{token}.png?20200407081423"


def _image(state: SandboxState, rng: random.Random, position: int) -> Image:
    gid, num = state.new_id("Image")
    return state.register(Image(gid, num, position, _cdn_url(rng)))


def _description(rng: random.Random, index: int, motif: str, name: str) -> str | None:
    if index % 11 == 5:
        return SPECIAL_DESCRIPTIONS[(index // 11) % len(SPECIAL_DESCRIPTIONS)]
    if index % 29 == 13:
        return None
    if index % 37 == 20:
        return " ".join([f"{name} '{motif}'.", *DESCRIPTIONS * 12])  # a very long description
    return f"{name} with our '{motif}' print. {rng.choice(DESCRIPTIONS)}"


def _title(index: int, kind: Kind) -> tuple[str, str, str]:
    """(kind name, motif, product title)."""
    name = kind.names[(index // len(KINDS)) % len(kind.names)]
    motif = MOTIFS[(index * 7 + index // len(MOTIFS)) % len(MOTIFS)]
    round_ = index // (len(KINDS) * len(MOTIFS))
    suffix = f" No. {round_ + 1}" if round_ else ""
    if index == 3:
        return name, motif, f"Mix & Match {name.lower()} '{motif}'"
    if index == 8:
        return name, motif, f"Hoera! 🎉 {name.lower()}"
    return name, motif, f"{name} '{motif}'{suffix}"


def _product(state: SandboxState, rng: random.Random, index: int, ean_items: Iterator[int]) -> Product:
    kind = KINDS[index % len(KINDS)]
    name, motif, title = _title(index, kind)
    created = state.anchor - timedelta(days=rng.uniform(40, 800))
    gid, num = state.new_id("Product")
    product = Product(
        gid,
        num,
        title,
        _description(rng, index, motif, name),
        BRAND,
        kind.category,
        [dimension for dimension, _values in kind.dimensions],
        created,
        created + timedelta(days=rng.uniform(0, 30)),
        external_product_id=f"zonnig-{index + 1:04d}",
    )
    product.images = [_image(state, rng, position) for position in range(1, rng.randint(1, 4) + 1)]
    product.weight = Decimal(rng.randrange(80, 900, 10))
    for variant_index, options in enumerate(_option_combinations(rng, kind)):
        variant = _variant(state, rng, product, kind, options, variant_index, ean_items)
        product.variants.append(variant)
    return product


def _option_combinations(rng: random.Random, kind: Kind) -> list[dict[str, str]]:
    combinations: list[dict[str, str]] = [{}]
    for dimension, values in kind.dimensions:
        if dimension == "Color":
            wanted = rng.randint(2, 5) if len(kind.dimensions) == 1 else rng.randint(2, 3)
            chosen = rng.sample(values, min(wanted, len(values)))
        else:
            chosen = list(values)
        combinations = [{**combo, dimension: value} for combo in combinations for value in chosen]
    return combinations


def _price(rng: random.Random, kind: Kind) -> Decimal:
    low, high = (int(Decimal(bound) * 100) for bound in kind.price)
    cents = rng.randint(low, high)
    return (Decimal(cents - cents % 5) / 100).quantize(Decimal("0.01"))


def _msrp(price: Decimal) -> Decimal:
    return (price * Decimal("2.2")).quantize(Decimal("1")) - Decimal("0.05")


def _variant(
    state: SandboxState,
    rng: random.Random,
    product: Product,
    kind: Kind,
    options: dict[str, str],
    variant_index: int,
    ean_items: Iterator[int],
) -> ProductVariant:
    gid, num = state.new_id("ProductVariant")
    price = _price(rng, kind)
    if options.get("Option") == "Set of 6":
        price = (price * 5).quantize(Decimal("0.01"))
    product_number = product.external_product_id.rsplit("-", 1)[-1] if product.external_product_id else "0"
    variant = ProductVariant(
        gid,
        num,
        product,
        options,
        f"SZ-{kind.code}-{product_number}-{variant_index + 1:02d}",
        ean13(next(ean_items)),
        price,
        _msrp(price),
        rng.choice(kind.case_quantities),
        rng.choice(("DENY", "DENY", "CONTINUE")),
        product.created_at,
        product.updated_at,
        external_product_variant_id=f"zonnig-{product_number}-{variant_index + 1}",
        made_in=rng.choice(("NL", "NL", "NL", "PT", "DE", "CN")),
        lead_time=rng.choice(("ONE_TO_THREE", "THREE_TO_FIVE")),
        tags=sorted(rng.sample(TAG_VALUES, rng.randint(0, 2))),
        filter_material=list(kind.materials[:1]),
        weight=product.weight,
        hs_code=kind.hs_code,
    )
    if rng.random() < 0.3:
        variant.images = [_image(state, rng, 1)]
    _stock(state, rng, variant)
    state.variants.append(state.register(variant))
    if variant.sku:
        state.variants_by_sku[variant.sku] = variant
    return variant


def _stock(state: SandboxState, rng: random.Random, variant: ProductVariant) -> None:
    for index, location in enumerate(state.locations):
        roll = rng.random()
        if index == 0:
            quantity = 0 if roll < 0.05 else rng.randint(1, 150)
            if roll < 0.02 and variant.inventory_policy == "CONTINUE":
                quantity = -rng.randint(1, 6)  # backordered
        else:
            quantity = 0 if roll < 0.3 else rng.randint(1, 60)
        add_level(state, variant, location, quantity, variant.updated_at)


def add_level(
    state: SandboxState, variant: ProductVariant, location: Location, quantity: int, when: datetime
) -> InventoryLevel:
    gid, num = state.new_id("InventoryLevel")
    level = state.register(InventoryLevel(gid, num, quantity, variant, location, when))
    variant.levels[location.num] = level
    return level

"""Static reference data the API serves: the category tree and the attribute catalogues."""

from __future__ import annotations

from typing import Any

from .model import Category

# (path, English name, Dutch name, parent path)
CATEGORY_TREE: tuple[tuple[str, str, str, str | None], ...] = (
    ("HOME_LIVING", "Home & Living", "Wonen", None),
    ("HOME_LIVING_PILLOWS_PLAIDS", "Pillows & Plaids", "Kussens & Plaids", "HOME_LIVING"),
    ("HOME_LIVING_PILLOWS_PLAIDS_PILLOWS", "Pillows", "Kussens", "HOME_LIVING_PILLOWS_PLAIDS"),
    ("HOME_LIVING_PILLOWS_PLAIDS_PLAIDS", "Plaids", "Plaids", "HOME_LIVING_PILLOWS_PLAIDS"),
    ("HOME_LIVING_KITCHEN", "Kitchen", "Keuken", "HOME_LIVING"),
    ("HOME_LIVING_KITCHEN_MUGS", "Mugs", "Mokken", "HOME_LIVING_KITCHEN"),
    ("HOME_LIVING_KITCHEN_TEA_TOWELS", "Tea towels", "Theedoeken", "HOME_LIVING_KITCHEN"),
    ("KIDS_BABY", "Kids & Baby", "Kinderen & Baby", None),
    ("KIDS_BABY_BABY_ESSENTIALS", "Baby essentials", "Babyspullen", "KIDS_BABY"),
    ("KIDS_BABY_BABY_ESSENTIALS_BIBS", "Bibs", "Slabbetjes", "KIDS_BABY_BABY_ESSENTIALS"),
    ("KIDS_BABY_BABY_ESSENTIALS_ROMPERS", "Rompers", "Rompertjes", "KIDS_BABY_BABY_ESSENTIALS"),
    ("KIDS_BABY_TOYS", "Toys", "Speelgoed", "KIDS_BABY"),
    ("KIDS_BABY_TOYS_WOODEN_TOYS", "Wooden toys", "Houten speelgoed", "KIDS_BABY_TOYS"),
    ("STATIONERY", "Stationery", "Papierwaren", None),
    ("STATIONERY_CARDS", "Cards", "Kaarten", "STATIONERY"),
    ("STATIONERY_CARDS_GREETING_CARDS", "Greeting cards", "Wenskaarten", "STATIONERY_CARDS"),
    ("STATIONERY_NOTEBOOKS", "Notebooks", "Notitieboeken", "STATIONERY"),
    ("STATIONERY_NOTEBOOKS_JOURNALS", "Journals", "Dagboeken", "STATIONERY_NOTEBOOKS"),
    ("FASHION", "Fashion", "Mode", None),
    ("FASHION_ACCESSORIES", "Accessories", "Accessoires", "FASHION"),
    ("FASHION_ACCESSORIES_SCARVES", "Scarves", "Sjaals", "FASHION_ACCESSORIES"),
    ("FASHION_ACCESSORIES_BAGS", "Bags", "Tassen", "FASHION_ACCESSORIES"),
)


def build_categories() -> dict[str, Category]:
    """The category tree, parents before children (the order of the API's flat list)."""
    categories: dict[str, Category] = {}
    for path, name, dutch, parent_path in CATEGORY_TREE:
        parent = categories[parent_path] if parent_path else None
        depth = parent.depth + 1 if parent else 0
        categories[path] = Category(path, name, depth, parent, {"name": dutch})
    return categories


def _value(value: str, name: str, dutch: str | None) -> dict[str, Any]:
    return {"value": value, "name": name, "translation": {"name": dutch}}


def _attribute(
    ident: str,
    name: str,
    kind: str,
    values: list[dict[str, Any]] | None = None,
    *,
    maximum: int = 1,
    minimum: int = 0,
) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "type": kind,
        "minimumValues": minimum,
        "maximumValues": maximum,
        "hasMultipleValues": maximum > 1,
        "values": values,
    }


MATERIALS: tuple[tuple[str, str, str | None], ...] = (
    ("WOOD", "Wood", "Hout"),
    ("PAPER", "Paper", None),
    ("GLASS", "Glass", "Glas"),
    ("SILVER", "Silver", "Zilver"),
    ("COTTON", "Cotton", "Katoen"),
    ("LINEN", "Linen", "Linnen"),
    ("WOOL", "Wool", "Wol"),
    ("CERAMIC", "Ceramic", "Keramiek"),
    ("METAL", "Metal", "Metaal"),
    ("PLASTIC", "Plastic", "Plastic"),
    ("LEATHER", "Leather", "Leer"),
)
TAGS = (
    ("ECO_FRIENDLY", "Eco-friendly", "Duurzaam"),
    ("HANDMADE", "Handmade", "Handgemaakt"),
    ("ORGANIC", "Organic", "Natuurlijk"),
    ("SOCIAL", "Social Good", "Sociaal Goed"),
    ("DUTCH_DESIGN", "Dutch Design", "Dutch Design"),
)
LEAD_TIMES = (
    ("ONE_TO_ONE", "one day", "één dag"),
    ("ONE_TO_THREE", "1-3 days", "1-3 dagen"),
    ("THREE_TO_FIVE", "3-5 days", "3-5 dagen"),
    ("FIVE_TO_TEN", "5-10 days", "5-10 dagen"),
    ("TEN_TO_TWENTY", "10-20 days", "10-20 dagen"),
    ("TWENTY_TO_THIRTY", "20-30 days", "20-30 dagen"),
)
COUNTRIES = (
    ("CN", "China", "China"),
    ("FR", "France", "Frankrijk"),
    ("DE", "Germany", "Duitsland"),
    ("NL", "Netherlands", "Nederland"),
    ("BE", "Belgium", "België"),
    ("PT", "Portugal", "Portugal"),
)
SEASONS = (("SS21", "SS21", "SS21"), ("AW21", "AW21", "AW21"), ("NO_SEASON", "No Season", "Geen seizoen"))


def product_variant_attributes() -> list[dict[str, Any]]:
    """What productVariantAttributes answers (after the docs' example)."""
    plain = [
        ("sku", "SKU", "String"),
        ("color", "Color", "String"),
        ("size", "Size", "String"),
        ("option", "Option", "String"),
        ("ean", "EAN", "Int"),
        ("productTitle", "Product title", "String"),
        ("productDescription", "Product description", "String"),
        ("brand", "Brand", "String"),
        ("price", "Price", "Money"),
        ("msrp", "MSRP", "Money"),
        ("length", "Length", "Centimeter"),
        ("width", "Width", "Centimeter"),
        ("height", "Height", "Centimeter"),
        ("weight", "Weight", "Gram"),
        ("diameter", "Diameter", "Centimeter"),
        ("volume", "Volume", "Liter"),
        ("caseQuantity", "Case quantity", "Int"),
        ("inventoryQuantity", "Inventory quantity", "Int"),
    ]
    attributes = [_attribute(ident, name, kind) for ident, name, kind in plain]
    attributes += [
        _attribute(
            "inventoryPolicy",
            "Inventory policy",
            "ProductVariantInventoryPolicy",
            [
                _value("DENY", "Stop selling", "Stop met verkopen"),
                _value("CONTINUE", "Continue selling", "Altijd verkopen"),
            ],
        ),
        _attribute("tags", "Tags", "ProductTag", [_value(*tag) for tag in TAGS], maximum=3),
        _attribute("madeIn", "Made in", "CountryCode", [_value(*country) for country in COUNTRIES]),
        _attribute("leadTime", "Lead time", "LeadTime", [_value(*lead) for lead in LEAD_TIMES]),
        _attribute("hsCode", "HS Code", "String"),
        _attribute("availableAt", "Available at", "Date"),
        _attribute("category", "Category", "ProductCategoryPath", [], minimum=1),
        _attribute("images", "Images", "ImageInput", None, maximum=25),
        _attribute(
            "filterMaterial",
            "Material",
            "FilterMaterialValue",
            [_value(*material) for material in MATERIALS],
            maximum=4,
        ),
    ]
    return attributes


def attributes() -> list[dict[str, Any]]:
    """What the attributes query answers: category-specific filters."""
    parents = {parent for _path, _name, _dutch, parent in CATEGORY_TREE}
    leaves = [path for path, _name, _dutch, _parent in CATEGORY_TREE if path not in parents]
    textile = [path for path in leaves if "PILLOWS" in path or "TEA_TOWELS" in path or "FASHION" in path]
    return [
        {
            "attribute": "f_material",
            "name": "Material",
            "minimumValues": 0,
            "maximumValues": 4,
            "categoryPaths": leaves,
            "translation": {"name": "Materiaal"},
            "values": [_value(*material) for material in MATERIALS],
        },
        {
            "attribute": "f_season",
            "name": "Season",
            "minimumValues": 1,
            "maximumValues": 1,
            "categoryPaths": textile,
            "translation": {"name": "Seizoen"},
            "values": [_value(*season) for season in SEASONS],
        },
    ]

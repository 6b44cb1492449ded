"""Mutations on the catalogue: variants, products, inventory levels, webhooks."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from .catalog import BRAND, add_level
from .model import Image, InventoryLevel, Location, Product, ProductVariant, Webhook
from .resolvers import Info
from .state import SandboxState
from .validation import (
    DIMENSIONS,
    UserErrors,
    check_category,
    check_count,
    check_dimensions,
    check_ean,
    check_images,
    check_money,
    check_text,
    is_web_url,
    state_of,
)

OPTION_FIELDS = {"color": "Color", "size": "Size", "option": "Option"}
VARIANT_FIELDS = {
    "ean": "ean",
    "price": "price",
    "msrp": "msrp",
    "caseQuantity": "case_quantity",
    "madeIn": "made_in",
    "leadTime": "lead_time",
    "availableAt": "available_at",
    "tags": "tags",
    "filterMaterial": "filter_material",
    "hsCode": "hs_code",
    "inventoryPolicy": "inventory_policy",
    **{name: name for name in DIMENSIONS},
}
PRODUCT_FIELDS = {
    "productTitle": "title",
    "productDescription": "description",
    "brand": "brand",
    "category": "category_path",
}


def _failed(payload_field: str, errors: UserErrors) -> dict[str, Any]:
    return {payload_field: None, "userErrors": errors.items}


# ---------------------------------------------------------------------- shared variant checks


def _check_variant_input(
    errors: UserErrors, state: SandboxState, data: dict[str, Any], current: ProductVariant | None
) -> None:
    sku = data.get("sku")
    if "sku" in data:
        check_text(errors, data, "sku", required=True)
        other = state.variant_by_sku(sku.strip()) if isinstance(sku, str) else None
        if other is not None and other is not current:
            errors.add(["sku"], f"SKU {sku} is already used by another variant.")
    check_ean(errors, data)
    check_money(errors, data, "price")
    check_money(errors, data, "msrp")
    check_dimensions(errors, data)
    check_images(errors, data)
    check_category(errors, state, data)
    check_count(errors, data, "tags", 3)
    check_count(errors, data, "filterMaterial", 4)
    for name in ("productTitle", "brand", "color", "size", "option", "hsCode"):
        check_text(errors, data, name)
    if data.get("caseQuantity") is not None and data["caseQuantity"] < 1:
        errors.add(["caseQuantity"], "Case quantity must be at least 1.")
    policy = data.get("inventoryPolicy") or (current.inventory_policy if current else "DENY")
    total = data.get("inventoryQuantity")
    if total is not None and total < 0 and policy == "DENY":
        errors.add(
            ["inventoryQuantity"], "Inventory can only go below 0 when the inventory policy is CONTINUE."
        )
    elif total is not None and current is not None:
        elsewhere = _stock_elsewhere(state, current)
        if elsewhere and total < elsewhere:
            errors.add(
                ["inventoryQuantity"],
                f"{elsewhere} of this variant are stocked at other locations, more than {total}. "
                "Adjust the inventory levels per location instead.",
            )


def _options_after(data: dict[str, Any], current: ProductVariant | None) -> dict[str, str]:
    options = dict(current.options) if current else {}
    for field, name in OPTION_FIELDS.items():
        if field in data:
            value = (data[field] or "").strip()
            if value:
                options[name] = value
            else:
                options.pop(name, None)
    return options


def _same_options_taken(
    product: Product | None, options: dict[str, str], current: ProductVariant | None
) -> bool:
    if product is None:
        return False
    return any(variant.options == options for variant in product.variants if variant is not current)


def _new_images(state: SandboxState, images: list[dict[str, Any]]) -> list[Image]:
    created = []
    for position, image in enumerate(images, start=1):
        gid, num = state.new_id("Image")
        created.append(state.register(Image(gid, num, position, image["sourceUrl"].strip())))
    return created


def _stock_elsewhere(state: SandboxState, variant: ProductVariant) -> int:
    """Units at locations other than the primary one (which a total quantity cannot move)."""
    primary = state.primary_location.num
    return sum(level.quantity for num, level in variant.levels.items() if num != primary)


def _set_total_inventory(state: SandboxState, variant: ProductVariant, total: int, now: datetime) -> None:
    """Make the sum over locations ``total`` by setting the primary location's level.

    Validation has refused a total below the stock at the other locations, so the primary
    level never goes negative to make the sum (only a CONTINUE total below 0 does, when
    nothing is stocked elsewhere).
    """
    primary = state.primary_location
    level = variant.levels.get(primary.num) or add_level(state, variant, primary, 0, now)
    level.quantity = total - _stock_elsewhere(state, variant)
    level.updated_at = now


def _apply_variant_input(
    state: SandboxState, variant: ProductVariant, data: dict[str, Any], now: datetime
) -> None:
    product = variant.product
    for field, attribute in PRODUCT_FIELDS.items():
        if field in data and (data[field] is not None or field != "productTitle"):
            setattr(product, attribute, data[field])
    for field, attribute in VARIANT_FIELDS.items():
        if field in data:
            value = data[field]
            setattr(variant, attribute, list(dict.fromkeys(value)) if isinstance(value, list) else value)
    if "sku" in data:
        if variant.sku:
            state.variants_by_sku.pop(variant.sku, None)
        variant.sku = data["sku"].strip() if data["sku"] else None
        if variant.sku:
            state.variants_by_sku[variant.sku] = variant
    variant.options = _options_after(data, variant)
    product.option_names += [name for name in variant.options if name not in product.option_names]
    if data.get("images") is not None:
        variant.images = _new_images(state, data["images"])
    if data.get("inventoryQuantity") is not None:
        _set_total_inventory(state, variant, data["inventoryQuantity"], now)
    variant.updated_at = product.updated_at = now


# ---------------------------------------------------------------------- productVariantCreate


def _target_product(state: SandboxState, data: dict[str, Any], errors: UserErrors) -> Product | None:
    if data.get("productId") is not None:
        product = state.get(data["productId"], Product)
        if product is None:
            errors.add(["productId"], "Product not found.")
        return product
    external = data.get("externalProductId")
    if external:
        return next((product for product in state.products if product.external_product_id == external), None)
    return None


def _new_product(state: SandboxState, data: dict[str, Any], now: datetime) -> Product:
    gid, num = state.new_id("Product")
    product = Product(
        gid,
        num,
        data["productTitle"].strip(),
        data.get("productDescription"),
        data.get("brand") or BRAND,
        data.get("category"),
        [],
        now,
        now,
        external_product_id=data.get("externalProductId"),
    )
    state.products.append(state.register(product))
    return product


def resolve_variant_create(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    errors = UserErrors()
    product = _target_product(state, input, errors)
    _check_variant_input(errors, state, input, None)
    external = input.get("externalProductVariantId")
    if external and any(variant.external_product_variant_id == external for variant in state.variants):
        errors.add(
            ["externalProductVariantId"], "This external variant id is already used by another variant."
        )
    if product is None and not errors:
        check_text(errors, input, "productTitle", required=True)
    options = _options_after(input, None)
    if not options:
        errors.add(["color"], "A variant needs a color, a size or an option.")
    elif _same_options_taken(product, options, None):
        errors.add(["color"], "The product already has a variant with these options.")
    if errors:
        return _failed("productVariant", errors)
    now = state.now()
    product = product or _new_product(state, input, now)
    gid, num = state.new_id("ProductVariant")
    variant = ProductVariant(
        gid,
        num,
        product,
        {},
        None,
        None,
        None,
        None,
        1,
        "DENY",
        now,
        now,
        external_product_variant_id=external,
    )
    product.variants.append(variant)
    state.variants.append(state.register(variant))
    for location in state.locations:
        add_level(state, variant, location, 0, now)
    _apply_variant_input(state, variant, input, now)
    return {"productVariant": variant, "userErrors": []}


# ---------------------------------------------------------------------- productVariantUpdate


def _find_variant(state: SandboxState, data: dict[str, Any], errors: UserErrors) -> ProductVariant | None:
    if data.get("id") is not None:
        variant = state.get(data["id"], ProductVariant)
        if variant is None:
            errors.add(["id"], "Product variant not found.")
        return variant
    external = data.get("externalProductVariantId")
    if external:
        variant = next((v for v in state.variants if v.external_product_variant_id == external), None)
        if variant is None:
            errors.add(["externalProductVariantId"], f"No product variant with external id {external}.")
        return variant
    errors.add(["id"], "Give the id or the externalProductVariantId of the variant to update.")
    return None


def resolve_variant_update(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    errors = UserErrors()
    variant = _find_variant(state, input, errors)
    if variant is None:
        return _failed("productVariant", errors)
    _check_variant_input(errors, state, input, variant)
    if "productTitle" in input:
        check_text(errors, input, "productTitle", required=True)
    options = _options_after(input, variant)
    if not options:
        errors.add(["color"], "A variant needs a color, a size or an option.")
    elif _same_options_taken(variant.product, options, variant):
        errors.add(["color"], "The product already has a variant with these options.")
    if errors:
        return _failed("productVariant", errors)
    _apply_variant_input(state, variant, input, state.now())
    return {"productVariant": variant, "userErrors": []}


# ---------------------------------------------------------------------- productCreate


def _check_product_variants(errors: UserErrors, state: SandboxState, data: dict[str, Any]) -> None:
    seen_skus: set[str] = set()
    seen_options: set[tuple[str | None, ...]] = set()
    for index, variant in enumerate(data.get("variants") or []):
        nested = errors.nested("variants", index)
        _check_variant_input(nested, state, variant, None)
        sku = (variant.get("sku") or "").strip()
        if sku and sku in seen_skus:
            nested.add(["sku"], f"SKU {sku} appears twice in this product.")
        seen_skus.add(sku)
        values = tuple((variant.get(f"option{n}") or "").strip() or None for n in (1, 2, 3))
        if values in seen_options:
            nested.add(["option1"], "Two variants have the same options.")
        seen_options.add(values)


def _create_variants(state: SandboxState, product: Product, data: dict[str, Any], now: datetime) -> None:
    for variant_data in data.get("variants") or []:
        gid, num = state.new_id("ProductVariant")
        options = {
            name: value.strip()
            for name, value in (
                (
                    product.option_names[n - 1] if n <= len(product.option_names) else None,
                    variant_data.get(f"option{n}"),
                )
                for n in (1, 2, 3)
            )
            if name and value and value.strip()
        }
        variant = ProductVariant(gid, num, product, options, None, None, None, None, 1, "DENY", now, now)
        product.variants.append(variant)
        state.variants.append(state.register(variant))
        for location in state.locations:
            add_level(state, variant, location, 0, now)
        for dimension in DIMENSIONS:
            setattr(variant, dimension, getattr(product, dimension))
        _apply_variant_input(state, variant, variant_data, now)


def _option_names(data: dict[str, Any]) -> list[str]:
    """The product's option names; unnamed options that variants use are called "Option <n>"."""

    def used(n: int) -> bool:
        named = bool((data.get(f"option{n}") or "").strip())
        return named or any((v.get(f"option{n}") or "").strip() for v in data.get("variants") or [])

    count = max((n for n in (1, 2, 3) if used(n)), default=0)
    return [(data.get(f"option{n}") or "").strip() or f"Option {n}" for n in range(1, count + 1)]


def resolve_product_create(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    errors = UserErrors()
    check_text(errors, input, "title", required=True)
    for name in ("brand", "option1", "option2", "option3", "externalProductId"):
        check_text(errors, input, name)
    check_category(errors, state, input)
    check_dimensions(errors, input)
    check_images(errors, input)
    _check_product_variants(errors, state, input)
    if errors:
        return _failed("product", errors)
    now = state.now()
    gid, num = state.new_id("Product")
    names = _option_names(input)
    product = Product(
        gid,
        num,
        input["title"].strip(),
        input.get("description"),
        input.get("brand") or BRAND,
        input.get("category"),
        names,
        now,
        now,
        external_product_id=input.get("externalProductId"),
    )
    for dimension in DIMENSIONS:
        setattr(product, dimension, input.get(dimension))
    product.images = _new_images(state, input.get("images") or [])
    state.products.append(state.register(product))
    _create_variants(state, product, input, now)
    return {"product": product, "userErrors": []}


# ---------------------------------------------------------------------- inventoryLevelBulkAdjust


def _adjust_target(
    state: SandboxState, entry: dict[str, Any], errors: UserErrors
) -> tuple[ProductVariant, Location] | None:
    variant: ProductVariant | None = None
    if entry.get("productVariantId") is not None:
        variant = state.get(entry["productVariantId"], ProductVariant)
        if variant is None:
            errors.add(["productVariantId"], "Product variant not found.")
        elif entry.get("sku") is not None and variant.sku != entry["sku"]:
            errors.add(["sku"], "The SKU does not belong to this product variant.")
    elif entry.get("sku") is not None:
        variant = state.variant_by_sku(entry["sku"])
        if variant is None:
            errors.add(["sku"], f"No product variant with SKU {entry['sku']}.")
    else:
        errors.add([], "Give a sku or a productVariantId.")
    location = state.primary_location
    if entry.get("locationId") is not None:
        found = state.get(entry["locationId"], Location)
        if found is None:
            errors.add(["locationId"], "Location not found.")
        location = found or location
    if (entry.get("action") or "ADJUST") == "SET" and entry["adjustment"] < 0:
        errors.add(["adjustment"], "Inventory can't be set below 0.")
    return (variant, location) if variant is not None else None


def _adjust(
    state: SandboxState, variant: ProductVariant, location: Location, entry: dict[str, Any], now: datetime
) -> InventoryLevel:
    level = variant.levels.get(location.num) or add_level(state, variant, location, 0, now)
    if (entry.get("action") or "ADJUST") == "SET":
        level.quantity = entry["adjustment"]
    else:
        level.quantity += entry["adjustment"]
    level.updated_at = variant.updated_at = variant.product.updated_at = now
    return dataclasses.replace(level)  # the level as it was after this entry, like the live API


def resolve_inventory_adjust(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    errors = UserErrors()
    entries = input["inventoryLevels"]
    if not entries:
        errors.add(["inventoryLevels"], "Give at least one inventory level.")
    targets = [
        _adjust_target(state, entry, errors.nested("inventoryLevels", index))
        for index, entry in enumerate(entries)
    ]
    if errors:  # all or nothing: a half-applied stock list is worse than none
        return _failed("inventoryLevels", errors)
    now = state.now()
    levels = [
        _adjust(state, *target, entry, now)
        for target, entry in zip(targets, entries, strict=True)
        if target is not None
    ]
    return {"inventoryLevels": levels, "userErrors": []}


# ---------------------------------------------------------------------- webhookCreate


def resolve_webhook_create(_root: Any, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    state = state_of(info)
    errors = UserErrors()
    if not is_web_url(input["callbackUrl"], https_only=True):
        errors.add(["callbackUrl"], "The callback URL must be an https:// URL.")
    if not input["events"]:
        errors.add(["events"], "Choose at least one event.")
    if errors:
        return _failed("webhook", errors)
    gid, num = state.new_id("Webhook")
    active = input.get("active")
    webhook = Webhook(
        gid,
        num,
        input["callbackUrl"].strip(),
        list(dict.fromkeys(input["events"])),
        True if active is None else active,
        input.get("template") or "DEFAULT",
    )
    state.webhooks.append(state.register(webhook))
    return {"webhook": webhook, "userErrors": []}

"""userErrors: collecting field-path errors and the checks mutations share."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from .resolvers import Info
from .state import SandboxState

DIMENSIONS = ("weight", "length", "width", "height", "diameter", "volume")
MAX_TEXT = 255


class UserErrors:
    """Errors with a path under ``input`` (``["input", "products", "0", "quantity"]``)."""

    def __init__(self, prefix: Sequence[str | int] = ()) -> None:
        self.items: list[dict[str, Any]] = []
        self._prefix = tuple(prefix)

    def add(self, path: Sequence[str | int], message: str) -> None:
        self.items.append(
            {"field": ["input", *(str(part) for part in (*self._prefix, *path))], "message": message}
        )

    def nested(self, *prefix: str | int) -> UserErrors:
        """A view that writes into the same list under a longer prefix."""
        child = UserErrors((*self._prefix, *prefix))
        child.items = self.items
        return child

    def __bool__(self) -> bool:
        return bool(self.items)


def state_of(info: Info) -> SandboxState:
    return info.context.state


def is_web_url(value: Any, *, https_only: bool = False) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.hostname) and " " not in value.strip()


def check_text(errors: UserErrors, data: dict[str, Any], name: str, *, required: bool = False) -> None:
    """A present text field must not be blank (when required) nor longer than 255 characters."""
    if name not in data:
        if required:
            errors.add([name], f"{_label(name)} can't be blank.")
        return
    value = data[name]
    if value is None or not str(value).strip():
        if required:
            errors.add([name], f"{_label(name)} can't be blank.")
        return
    if len(str(value)) > MAX_TEXT:
        errors.add([name], f"{_label(name)} is too long (at most {MAX_TEXT} characters).")


def check_money(errors: UserErrors, data: dict[str, Any], name: str) -> None:
    value = data.get(name)
    if value is None:
        return
    amount = Decimal(value)
    if amount < 0:
        errors.add([name], f"{_label(name)} must be greater than or equal to 0.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors.add([name], f"{_label(name)} can have at most 2 decimals.")


def check_dimensions(errors: UserErrors, data: dict[str, Any]) -> None:
    for name in DIMENSIONS:
        value = data.get(name)
        if value is not None and Decimal(value) < 0:
            errors.add([name], f"{_label(name)} must be greater than or equal to 0.")


def check_ean(errors: UserErrors, data: dict[str, Any], name: str = "ean") -> None:
    value = data.get(name)
    if value is None:
        return
    if not (value.isdigit() and len(value) <= 14):
        errors.add([name], "EAN must consist of digits only (at most 14).")


def check_images(errors: UserErrors, data: dict[str, Any]) -> None:
    images = data.get("images")
    if images is None:
        return
    if len(images) > 25:
        errors.add(["images"], "A product can have at most 25 images.")
    for index, image in enumerate(images):
        if not is_web_url(image.get("sourceUrl")):
            errors.add(["images", index, "sourceUrl"], "Source URL must be an http(s) URL.")


def check_category(errors: UserErrors, state: SandboxState, data: dict[str, Any]) -> None:
    path = data.get("category")
    if path is None:
        return
    category = state.categories.get(path)
    if category is None or category.depth != 2:
        errors.add(["category"], "Products can only be placed in a sub-sub-category (depth 2).")


def check_count(errors: UserErrors, data: dict[str, Any], name: str, maximum: int) -> None:
    values = data.get(name)
    if values is not None and len(set(values)) > maximum:
        errors.add([name], f"Choose at most {maximum} {_label(name).lower()}.")


def _label(name: str) -> str:
    labels = {
        "msrp": "MSRP",
        "sku": "SKU",
        "ean": "EAN",
        "productTitle": "Product title",
        "productDescription": "Product description",
        "caseQuantity": "Case quantity",
        "filterMaterial": "Materials",
        "hsCode": "HS code",
        "trackingNumber": "Tracking number",
    }
    return labels.get(name, name[:1].upper() + name[1:])

"""Global ids ("Type:number" in base64, as the live API) and opaque cursors."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def encode_gid(type_name: str, number: int) -> str:
    """``encode_gid("Product", 568489920151553) == "UHJvZHVjdDo1Njg0ODk5MjAxNTE1NTM"`` (no padding)."""
    raw = f"{type_name}:{number}".encode()
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes | None:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None


def decode_gid(gid: str) -> tuple[str, int] | None:
    """The (type, number) of a global id, or None when it is not one."""
    raw = _b64decode(gid.strip())
    if raw is None:
        return None
    try:
        type_name, _, number = raw.decode("utf-8").partition(":")
    except UnicodeDecodeError:
        return None
    if not type_name or not number.isdigit():
        return None
    return type_name, int(number)


def encode_cursor(key: list[Any]) -> str:
    """An opaque cursor holding a sort key (like the live API's base64 JSON cursors)."""
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> list[Any] | None:
    """The sort key inside a cursor, or None when the cursor is not one of ours."""
    raw = _b64decode(cursor.strip())
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, list) else None

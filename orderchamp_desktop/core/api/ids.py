"""Orderchamp ids are base64 of "Type:number" (e.g. "UHJvZHVjdDo1Njg0ODk5MjAxNTE1NTM").

Treat ids as opaque strings everywhere; these helpers only serve display and debugging
(showing "Product 568489920151553") and never fail on an id of another shape.
"""

from __future__ import annotations

import base64
import binascii


def decode_id(value: str) -> tuple[str, str] | None:
    """("Product", "568489920151553") for an encoded id, None for anything else."""
    text = value.strip()
    if not text:
        return None
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    kind, sep, rest = decoded.partition(":")
    if not sep or not kind.isidentifier() or not rest:
        return None
    return kind, rest


def encode_id(kind: str, raw_id: str | int) -> str:
    """The API form of an id: unpadded base64 of "Type:id"."""
    return base64.b64encode(f"{kind}:{raw_id}".encode()).decode("ascii").rstrip("=")

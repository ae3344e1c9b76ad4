"""JSON lists kept in browser storage (the outbox, the places): their length and their items.

No Reflex here. The values are untrusted: any client can set them at any time.
"""

from __future__ import annotations

import json


def units(text: str) -> int:
    """The length of `text` as the browser counts it (UTF-16 code units, lone surrogates too)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def stored_value(items: list[dict[str, object]]) -> str:
    """A list as kept in storage: compact JSON, text as is ("" for no items)."""
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")) if items else ""


def stored_items(raw: object, max_units: int) -> list[object] | None:
    """The items of a JSON list read from browser storage.

    Args:
        raw: The storage value.
        max_units: The list's cap; a value over twice that is not read at all.

    Returns:
        The items ([] when there is no value), or None when the value is not such a list.
    """
    if not isinstance(raw, str) or not raw:
        return []
    if units(raw) > max_units * 2:
        return None
    try:
        items = json.loads(raw)
    except ValueError:
        return None
    return items if isinstance(items, list) else None

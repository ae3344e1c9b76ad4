"""The web addresses in a message's text, as the parts its bubble shows as links.

Only `http://`, `https://` and `www.` addresses are links, and only their ASCII characters:
a link stops at a space, at a Chinese character or punctuation mark written right after
it ("看https://a.cn/x吧"), and at a bidi control, so a link's text is the address it opens.
Trailing punctuation stays text ("see https://a.cn/x." links "https://a.cn/x"), except a
closing bracket that closes one inside the address (Wikipedia's "..._(film)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# RFC 3986's characters, less the quote and angle brackets no address needs.
_ADDRESS = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%']+", re.IGNORECASE)
_TRAILING = ".,;:!?'*"
_PAIRS = {")": "(", "]": "["}
# A message of 4,000 characters could hold about 400 addresses; past this many the rest
# stay text, which keeps a pushed message's size near its text's.
MAX_LINKS = 50


@dataclass(frozen=True)
class TextPart:
    """A run of a message's text: a link when `href` is set, else plain text."""

    text: str
    href: str = ""


def _trimmed(address: str) -> str:
    """`address` without the punctuation that ends the sentence around it."""
    while address and (address[-1] in _TRAILING or _unpaired_close(address)):
        address = address[:-1]
    return address


def _unpaired_close(address: str) -> bool:
    """Whether `address` ends with a bracket that no bracket inside it opened."""
    opening = _PAIRS.get(address[-1])
    return opening is not None and address.count(opening) < address.count(address[-1])


def link_parts(body: str) -> tuple[TextPart, ...]:
    """The parts of a text message with its links; empty when it has none.

    Args:
        body: The stored text.

    Returns:
        Its parts, whose texts joined are `body` exactly; () when no address was found
        (the bubble then shows the body, and the view carries nothing more).
    """
    if "://" not in body and "www." not in body.lower():
        return ()  # most messages: a tenth of the search's time, on every stored view
    parts: list[TextPart] = []
    start = links = 0
    for match in _ADDRESS.finditer(body):
        address = _trimmed(match.group())
        if links == MAX_LINKS:
            break
        if not _is_address(address):
            continue
        if match.start() > start:
            parts.append(TextPart(body[start : match.start()]))
        href = address if address[:4].lower() == "http" else "https://" + address
        parts.append(TextPart(address, href))
        start = match.start() + len(address)
        links += 1
    if not parts:
        return ()
    if start < len(body):
        parts.append(TextPart(body[start:]))
    return tuple(parts)


def _is_address(text: str) -> bool:
    """Whether a trimmed match names a place: a host after the scheme, a dot after www."""
    lowered = text.lower()
    if lowered.startswith("www."):
        return "." in lowered[4:].strip(".")
    # The pattern starts every other match with http(s)://; trimming may have cut it
    # ("https:/"), or cut "www." down to "www".
    _scheme, found, host = lowered.partition("://")
    return bool(found and host)

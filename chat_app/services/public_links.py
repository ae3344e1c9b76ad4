"""Absolute links to hand to people (invites, password resets).

The backend cannot always know the address people open the app at (one port behind a
proxy, a static export served elsewhere, several LAN addresses), so the administrator may
set it (CHAT_PUBLIC_URL); otherwise the link uses the origin of the page that asked for it,
which is the address the administrator is using right now.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chat_app.settings import SETTINGS, Settings


def page_origin(url: object) -> str:
    """The scheme://host[:port] of a page address the browser reported ("" if unusable)."""
    if not isinstance(url, str) or len(url) > 2048:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def link(path: str, *, origin: str = "", settings: Settings = SETTINGS) -> str:
    """An absolute link to `path` ("/invite/abc"), or the bare path when no address is known.

    Args:
        path: The route and token, starting with "/".
        origin: The origin of the page that asked (see `page_origin`); "" when unknown,
            e.g. on the command line.
        settings: CHAT_PUBLIC_URL, which wins when set.

    Returns:
        The link to hand over.
    """
    base = settings.public_url or origin
    return f"{base}{path}"

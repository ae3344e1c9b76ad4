"""HTTP headers that describe a downloaded file to the browser."""

from __future__ import annotations

from urllib.parse import quote


def content_disposition(name: str, inline: bool = False) -> str:
    """A Content-Disposition header value with an RFC 6266 / RFC 5987 `filename*`.

    Args:
        name: The display name (any script).
        inline: True only for re-encoded thumbnails.

    Returns:
        The header value, with an ASCII fallback `filename` for old clients.
    """
    ascii_fallback = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(name, safe='')}"

"""What an uploaded file is: its type from its first bytes, and a name safe to show.

The type is sniffed from the content, never taken from the name or the browser; the
original name lives only in the database, cleaned of paths and invisible characters.
"""

from __future__ import annotations

import unicodedata

from chat_app.services.validation import neutralize_var_markers

MAX_NAME_LENGTH = 255

IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)


def sniff(head: bytes) -> str:
    """The MIME type of a file from its first bytes.

    Args:
        head: At least the first 16 bytes (fewer for tiny files).

    Returns:
        An image type for PNG, JPEG, GIF and WebP, a few well-known others, else
        application/octet-stream (HTML disguised as an image lands here).
    """
    for signature, mime in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for signature, mime in OTHER_SIGNATURES:
        if head.startswith(signature):
            return mime
    return "application/octet-stream"


def display_name(name: object) -> str:
    """A safe display name: no path, no control or direction-override characters.

    Args:
        name: The name the browser sent (untrusted).

    Returns:
        At most 255 characters, the extension kept; "file" when nothing is left.
    """
    text = name if isinstance(name, str) else ""
    # Browsers percent-encode exactly these three in multipart file names (HTML spec).
    text = text.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
    text = unicodedata.normalize("NFC", text.replace("\\", "/").rsplit("/", 1)[-1])
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    # Names are shown in toasts and titles some day: no Reflex Var marker (safe_text.py).
    text = neutralize_var_markers(text).strip().strip(".").strip()
    if not text:
        return "file"
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            text = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            text = text[:MAX_NAME_LENGTH]
    return text

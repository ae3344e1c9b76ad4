"""Every way a bearer token could appear in stored bytes, to prove it is stored nowhere."""

from __future__ import annotations

import base64
import binascii
import json
import pickle


def token_encodings(token: str) -> list[bytes]:
    """The token as text, base64 (both alphabets, padded or not), hex, JSON, pickle, and the
    random bytes it encodes (`secrets.token_urlsafe`) in raw, hex and base64 forms.

    Args:
        token: The raw bearer token.

    Returns:
        Byte strings none of which may appear in stored data.
    """
    raw = token.encode()
    forms = [
        raw,
        raw.hex().encode(),
        raw.hex().upper().encode(),
        json.dumps(token).encode(),
        json.dumps(token, ensure_ascii=True).encode(),
        pickle.dumps(token),
        pickle.dumps(token, protocol=2),
    ]
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms += [encode(raw), encode(raw).rstrip(b"=")]
    try:
        secret = base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) >= 16:
        forms += [
            secret,
            secret.hex().encode(),
            secret.hex().upper().encode(),
            base64.b64encode(secret),
            base64.b64encode(secret).rstrip(b"="),
        ]
    return forms

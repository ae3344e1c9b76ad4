"""What a toast event shows: the text decoded from the JavaScript the server sent.

A toast arrives as a `_call_function` event whose payload is JavaScript such as
`refs['__toast']?.["info"]("", ({ ["title"] : "New message from \\u003c..." }))`. The text
is a JSON string literal in it; decoding it gives exactly what the browser displays.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from reflex_base.event import Event

_STRING = r'"(?:[^"\\]|\\.)*"'
# The text is the toast's title (a Var message) or its first argument (a plain string).
_TITLE = re.compile(r'\["title"\] : (' + _STRING + ")")
_FIRST_ARGUMENT = re.compile(r'\?\.\["\w+"\]\((' + _STRING + ")")


def toast_text(function: str) -> str:
    """The text a toast's JavaScript displays ("" when it is not a toast)."""
    if "__toast" not in function:
        return ""
    for pattern in (_TITLE, _FIRST_ARGUMENT):
        for literal in pattern.findall(function):
            if text := json.loads(literal):
                return text
    return ""


def toasts_of_specs(specs: Iterable[Any]) -> list[str]:
    """The texts of the toasts among event specs a handler returned, as sent to a tab."""
    return [
        text
        for event in Event.from_event_type(list(specs))
        if event.name == "_call_function" and (text := toast_text(event.payload["function"]))
    ]

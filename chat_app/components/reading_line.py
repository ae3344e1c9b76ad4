"""The probes of one message row that tell the server where the reader is reading.

No script, like the bottom probes (components/bottom_probe.py): the row holds an empty sticky
element, a CSS scroll-state container that is "stuck" while the row's top is above a line
just under the list's top (assets/styles.css). While the list is scrolled up, one probe
animates while it is stuck and the other while it is not, so a row crossing the line reports
once, and so does every row when the reader leaves the bottom. A browser dispatches the
events of one frame in document order (oldest row first): "above" is debounced to the last
of a burst (the row at the line), "below" throttled to the first of a frame (the row just
under the line) and then debounced, so the server gets a few events per scroll, not one
per row, and still the row at the line.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.bottom_probe import AnimatedDiv
from chat_app.states.place import PlaceState

# A burst of one frame arrives within this; an event per frame at most gets through.
BURST_MS = 100
FRAME_MS = 10


def reading_line(conversation_id: Any, seq: Any) -> rx.Component:
    """The probes, to be placed first in a message row (the sticky element's containing block).

    Args:
        conversation_id: The open conversation (events of a list left behind are ignored).
        seq: The row's message seq.

    Returns:
        An empty sticky div holding two empty probes.
    """
    above = PlaceState.line_above(conversation_id, seq).debounce(BURST_MS)
    below = PlaceState.line_below(conversation_id, seq).throttle(FRAME_MS).debounce(BURST_MS)
    return rx.box(
        AnimatedDiv.create(
            class_name="reading-line-probe above", aria_hidden="true", on_animation_start=above
        ),
        AnimatedDiv.create(
            class_name="reading-line-probe below", aria_hidden="true", on_animation_start=below
        ),
        class_name="reading-line",
        aria_hidden="true",
    )

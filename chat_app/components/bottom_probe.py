"""Two empty elements that tell the server whether the reader is at the list's bottom.

No script: the list is a CSS scroll-state container (assets/styles.css), and a container
query starts a 1 ms animation on one probe when the list can scroll further down (the
reader went up) and on the other when it cannot (the reader is at the bottom). A changed
`animation-name` starts a new animation, so each crossing fires one `animationstart`,
which React reports as `onAnimationStart`; this Div subclass only declares that trigger
(Reflex's DOM elements do not list it). It fires again whenever the list is mounted, so a
newly opened conversation reports "at the bottom" by itself.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import EventHandler, no_args_event_spec
from reflex_components_core.el.elements.typography import Div


class AnimatedDiv(Div):
    """A div whose CSS animations report their start."""

    on_animation_start: EventHandler[no_args_event_spec]


def bottom_probes(at_bottom: Any, scrolled_up: Any) -> rx.Component:
    """The probes, to be placed inside the scrolling list (the container they query).

    Args:
        at_bottom: The event for "the reader reached the bottom".
        scrolled_up: The event for "the reader left the bottom".

    Returns:
        Two empty, hidden divs.
    """
    return rx.fragment(
        AnimatedDiv.create(
            class_name="bottom-probe at-bottom", aria_hidden="true", on_animation_start=at_bottom
        ),
        AnimatedDiv.create(
            class_name="bottom-probe scrolled-up",
            aria_hidden="true",
            on_animation_start=scrolled_up,
        ),
    )

"""The new-message sound: an `<audio autoplay>` remounted for each play, and what picks the tab.

No script: `ChimeState.rings` is the element's React key, so each new value mounts a fresh
element, and a freshly mounted `autoplay` element plays. Nothing is shown before the page
is hydrated and its load has reset `rings`, so a reload never replays an old sound.
Browsers play it only once the user has interacted with the page (a click, a key).
"""

from __future__ import annotations

import reflex as rx

from chat_app.states.chime import ChimeState

CHIME_URL = "/chime.wav"


def chime() -> rx.Component:
    return rx.fragment(
        # The tab the user brings to the front plays their sounds from then on.
        rx.window_event_listener(
            on_focus=ChimeState.tab_focused,
            on_visibility_change=ChimeState.tab_visibility,
        ),
        rx.cond(
            rx.State.is_hydrated & (ChimeState.rings > 0),
            rx.el.audio(
                src=CHIME_URL,
                auto_play=True,
                key=ChimeState.rings,
                id="chime",
                custom_attrs={"data-rings": ChimeState.rings},
            ),
        ),
    )

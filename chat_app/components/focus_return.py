"""Where the keyboard's focus goes when a dialog closes.

Radix gives the focus back to a dialog's own trigger; the app's dialogs are opened by
state (a menu item, a button that a state var shows), so they have none, and every close
(Escape, Cancel, Save) left the focus on the page's body: a keyboard user started again
from the top. Each dialog now names the control to go back to. A text field takes the
focus on a desktop only: on a touch screen it would bring up the keyboard unasked.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var

from chat_app.states.ui import UiState

# The message composer's text area (components/composer.py).
COMPOSER_ID = "composer"


def focus_on_close(control_id: str, *, text_field: bool = False) -> list:
    """The chain for a dialog's `on_close_auto_focus`: the focus to `control_id`.

    Args:
        control_id: The element's id (a control that stays on the page).
        text_field: It is a text field: left alone on a touch screen.

    Returns:
        The event chain (client-side: no round trip).
    """
    return [rx.prevent_default, _focus(control_id, text_field)]


def focus_on_close_either(condition: Var | bool, first_id: str, other_id: str) -> list:
    """`focus_on_close` to one of two controls, `first_id` while `condition` holds.

    Args:
        condition: A state var read as the dialog closes.
        first_id: The control while it holds (a text field: not on a touch screen).
        other_id: The control otherwise (not a text field).

    Returns:
        The event chain.
    """
    return [
        rx.prevent_default,
        rx.cond(condition, _focus(first_id, text_field=True), _focus(other_id, text_field=False)),
    ]


def _focus(control_id: str, text_field: bool) -> Any:
    """The focus to `control_id`; a text field's only where no on-screen keyboard pops up."""
    focus = rx.set_focus(control_id)
    return rx.cond(UiState.touch_screen, rx.noop(), focus) if text_field else focus

"""Muting the open conversation (no toasts or sounds there): the header's bell on desktops,
an item of the header's ⋮ menu on phones (components/chat_more_menu.py).

Neither is shown for a departed member's history: nothing arrives there to mute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from chat_app.components.icon_button import icon_button, icon_px
from chat_app.states.conversation import ConversationState
from chat_app.states.mute import MuteState
from chat_app.states.ui import tr


def mute_button() -> rx.Component:
    """One icon button; its label says what a press does, `aria-pressed` what is on."""
    return _unless_read_only(_button)


def mute_menu_item() -> rx.Component:
    """The same as a menu item: its icon and words say what a press does."""
    return _unless_read_only(_item)


def _unless_read_only(made: Callable[[rx.Var[bool]], rx.Component]) -> rx.Component:
    muted = MuteState.muted_ids.contains(ConversationState.conversation_id)
    return rx.cond(ConversationState.read_only, rx.fragment(), made(muted))


def _what_a_press_does(muted: rx.Var[bool]) -> rx.Var:
    return rx.cond(muted, tr("button_unmute"), tr("button_mute"))


def _toggle(muted: rx.Var[bool]) -> Any:
    return MuteState.set_muted(ConversationState.conversation_id, ~muted)


def _button(muted: rx.Var[bool]) -> rx.Component:
    return icon_button(
        rx.cond(muted, rx.icon("bell-off", size=icon_px("3")), rx.icon("bell", size=icon_px("3"))),
        id="mute-button",
        variant="ghost",
        size="3",
        color=rx.cond(muted, "var(--gray-11)", "var(--accent-11)"),
        aria_label=_what_a_press_does(muted),
        title=_what_a_press_does(muted),
        aria_pressed=muted,
        on_click=_toggle(muted),
    )


def _item(muted: rx.Var[bool]) -> rx.Component:
    return rx.dropdown_menu.item(
        rx.cond(muted, rx.icon("bell", size=14), rx.icon("bell-off", size=14)),
        _what_a_press_does(muted),
        id="more-mute",
        on_click=_toggle(muted),
    )

"""The header's bell: mutes or unmutes the open conversation (no toasts or sounds there)."""

from __future__ import annotations

import reflex as rx

from chat_app.components.icon_button import icon_button, icon_px
from chat_app.states.conversation import ConversationState
from chat_app.states.mute import MuteState
from chat_app.states.ui import tr


def mute_button() -> rx.Component:
    """One icon button; its label says what a press does, `aria-pressed` what is on.

    Not for a departed member's history: nothing arrives there to mute.
    """
    muted = MuteState.muted_ids.contains(ConversationState.conversation_id)
    return rx.cond(ConversationState.read_only, rx.fragment(), _button(muted))


def _button(muted: rx.Var[bool]) -> rx.Component:
    return icon_button(
        rx.cond(muted, rx.icon("bell-off", size=icon_px("3")), rx.icon("bell", size=icon_px("3"))),
        id="mute-button",
        variant="ghost",
        size="3",
        color=rx.cond(muted, "var(--gray-11)", "var(--accent-11)"),
        aria_label=rx.cond(muted, tr("button_unmute"), tr("button_mute")),
        title=rx.cond(muted, tr("button_unmute"), tr("button_mute")),
        aria_pressed=muted,
        on_click=MuteState.set_muted(ConversationState.conversation_id, ~muted),
    )

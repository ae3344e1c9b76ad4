"""Reactions: the chips under a message (one per emoji, with its count) and the menu's row.

A chip is the viewer's own reaction when their id is among the emoji's (filled, pressed);
pressing any chip puts that emoji on or takes the viewer's off. Its title and label name who
reacted ("You, Bob"), found in the browser like a sender's name. The emoji are the fixed
quick set (`REACTION_CHOICES`), never text a client sent.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ArrayVar

from chat_app.components.group_message import person_name
from chat_app.components.name_text import shown_name
from chat_app.states.conversation import ConversationState
from chat_app.states.message_actions import REACTION_CHOICES, MessageActionsState


def _toggle(message: Any, emoji: Any) -> Any:
    return MessageActionsState.toggle_reaction(
        ConversationState.conversation_id, message.seq, emoji
    )


def quick_reactions(message: Any) -> list[rx.Component]:
    """The menu's first items: the quick emoji, laid out side by side in one row by the
    menu's stylesheet (a menu item may sit in nothing but the menu: no row of its own)."""
    return [
        rx.dropdown_menu.item(
            emoji,
            class_name="react-with",
            justify_content="center",
            font_size="1.2em",
            on_click=_toggle(message, emoji),
        )
        for emoji in REACTION_CHOICES
    ]


def reaction_chips(message: Any, shown: Any) -> rx.Component:
    """Under the bubble's text: a chip per emoji on the message, none when it has none.

    Args:
        message: The message as read (its seq).
        shown: The message as it is now (its reactions).
    """
    return rx.cond(
        shown.reactions.length() > 0,
        rx.flex(
            rx.foreach(shown.reactions, lambda reaction: _chip(message, reaction)),
            wrap="wrap",
            gap="0.25em",
            margin_top="0.25em",
            class_name="reactions",
        ),
    )


def _who(reaction: Any) -> rx.Var:
    """The names of those who reacted, in the order they did ("You, Bob")."""
    user_ids = cast(ArrayVar, reaction.user_ids)
    return user_ids.map(lambda user_id: shown_name(person_name(user_id))).join(", ")


def _chip(message: Any, reaction: Any) -> rx.Component:
    mine = reaction.user_ids.contains(ConversationState.my_id)
    who = _who(reaction)
    return rx.button(
        reaction.emoji,
        rx.text(reaction.user_ids.length(), as_="span", size="1"),
        size="1",
        radius="full",
        variant=rx.cond(mine, "soft", "outline"),
        color_scheme=rx.cond(mine, "blue", "gray"),
        aria_pressed=rx.cond(mine, "true", "false"),
        aria_label=reaction.emoji + " " + who,
        title=who,
        class_name="reaction",
        disabled=ConversationState.read_only,
        on_click=_toggle(message, reaction.emoji),
    )

"""What a group's timeline adds to a message: the sender's name and picture, system lines,
and the collapsed message of a blocked sender.

The sender is found in the browser, in the tab's look-up of the people it shows
(states/group_timeline.py): nothing per message travels for it. Only other people's
messages in a group get a name and picture, on the first of each run (`message.lead`);
own messages and direct chats look as before.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ArrayVar, StringVar

from chat_app.components.avatar import avatar
from chat_app.components.name_text import name_text
from chat_app.states.conversation import ConversationState
from chat_app.states.group_timeline import BLOCKED, SENDER_BUCKETS
from chat_app.states.row_values import row_entry
from chat_app.states.ui import tr

# The name's line above a run's first bubble; the picture beside it starts that much lower,
# level with the bubble's top.
NAME_LINE = "1.25rem"
PICTURE_WIDTH = "32px"


def _person(message: Any) -> ArrayVar:
    return person_of(message.sender_id)


def person_of(user_id: Any) -> ArrayVar:
    """A person of the open group's look-up: [name, picture link, "blocked" or ""]."""
    entry = row_entry(ConversationState, SENDER_BUCKETS, user_id, ["", "", ""])
    return cast(ArrayVar, entry)


def person_name(user_id: Any) -> rx.Var:
    """Whom `user_id` is in the open chat: "You", a direct chat's friend, else the group's
    look-up (a username under a block, "" for a deleted account)."""
    return rx.cond(
        user_id == ConversationState.my_id,
        tr("message_search_you"),
        rx.cond(
            ConversationState.is_group,
            person_of(user_id)[0].to(str),
            ConversationState.open_friend_nickname,
        ),
    )


def _name(message: Any) -> StringVar:
    return _person(message)[0].to(str)


def _theirs_in_group(message: Any) -> rx.Var:
    return ConversationState.is_group & (message.sender_id != ConversationState.my_id)


def sender_picture(message: Any) -> rx.Component:
    """Beside other people's bubbles in a group: the picture on a run's first, else a gap."""
    person = _person(message)
    return rx.cond(
        _theirs_in_group(message),
        rx.box(
            rx.cond(
                message.lead,
                rx.box(
                    avatar(_name(message), size="2", src=person[1]), class_name="sender-picture"
                ),
            ),
            width=PICTURE_WIDTH,
            flex_shrink="0",
            margin_top=NAME_LINE,
            margin_right="0.5em",
        ),
    )


def sender_name(message: Any) -> rx.Component:
    """Above the first bubble of another person's run in a group: their name."""
    return rx.cond(
        _theirs_in_group(message) & message.lead,
        name_text(
            _name(message),
            class_name="sender-name",
            size="1",
            weight="medium",
            color_scheme="gray",
            height=NAME_LINE,
            line_height=NAME_LINE,
        ),
    )


def collapsed(message: Any) -> rx.Var:
    """The message is from someone in a block with the reader, and not revealed here."""
    return (
        _theirs_in_group(message)
        & (_person(message)[2] == BLOCKED)
        & ~cast(ArrayVar, ConversationState.revealed).contains(message.seq)
    )


def collapsed_body(message: Any) -> rx.Component:
    """In place of a blocked sender's message: what it is, and a button to show it."""
    return rx.hstack(
        # Starts where the line starts, as message text does (the drop zone centres text).
        rx.text(
            tr("timeline_blocked"),
            size="2",
            color_scheme="gray",
            font_style="italic",
            text_align="start",
        ),
        rx.button(
            tr("button_show_blocked"),
            size="1",
            variant="ghost",
            class_name="show-blocked",
            on_click=ConversationState.reveal(message.seq),
        ),
        align="center",
        spacing="2",
        class_name="collapsed-message",
    )


def system_line(message: Any) -> rx.Component:
    """A group event: a centred grey line, not a bubble (written for the reader already)."""
    return rx.center(
        rx.text(
            message.body,
            size="1",
            color_scheme="gray",
            text_align="center",
            overflow_wrap="anywhere",
            dir="auto",
            class_name="system-line",
        ),
        data_seq=message.seq,
        id="message-" + message.seq.to(str),
        width="100%",
        padding="0.35em 1em",
    )

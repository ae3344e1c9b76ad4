"""A reply's quote: in the bubble above the text (a press goes to the message it answers),
and above the composer while a reply is written.

The quoted person's name is found in the browser like a sender's: "You", the friend of a
direct chat, or the open group's look-up (a person in a block with the reader is named by
username there, and their words stay hidden in the quote as in the timeline).
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx

from chat_app.components.group_message import person_name, person_of
from chat_app.components.icon_button import icon_button
from chat_app.components.name_text import name_text, one_line_cut
from chat_app.states.conversation import ConversationState
from chat_app.states.group_timeline import BLOCKED
from chat_app.states.replies import ReplyState
from chat_app.states.ui import tr


def _words(sender_id: Any, kind: Any, quoted: Any, gone: Any) -> rx.Var:
    """The quote's line: its text, a file's name with a clip, or why it is not shown."""
    blocked = ConversationState.is_group & (person_of(sender_id)[2] == BLOCKED)
    return rx.cond(
        gone,
        tr("message_deleted"),
        rx.cond(blocked, tr("timeline_blocked"), rx.cond(kind == "text", quoted, "📎 " + quoted)),
    )


def _quote_box(sender_id: Any, line: Any, earlier: bool = False, **props: Any) -> rx.Component:
    """The quote; one of a message from before the reader joined names nobody."""
    return rx.box(
        rx.fragment()
        if earlier
        else name_text(person_name(sender_id), size="1", weight="bold", color_scheme="gray"),
        rx.text(line, size="1", class_name="reply-quote-text", **one_line_cut()),
        border_left="3px solid var(--accent-8)",
        padding="0.15em 0.5em",
        border_radius="4px",
        background="var(--gray-a3)",
        min_width="0",
        text_align="start",
        **props,
    )


def bubble_quote(message: Any) -> rx.Component:
    """Above a reply's text: whom and what it answers; a press opens the chat there."""
    quote = message.reply
    gone = quote.deleted | ConversationState.deleted_seqs.contains(quote.seq)
    # Edited since the rows were read: its text as it is now (states/message_changes.py
    # keeps the changes of the messages shown replies quote). One line by the box's CSS.
    changed = ConversationState.changed
    now: Any = changed[quote.seq]
    words = rx.cond(changed.contains(quote.seq), now.body, quote.text)
    return rx.cond(
        message.reply,
        rx.cond(
            quote.earlier,
            # A message from before the reader joined: nothing of it, and nowhere to go.
            _quote_box(
                quote.sender_id,
                tr("reply_before_you_joined"),
                earlier=True,
                class_name="reply-quote",
                margin_bottom="0.3em",
            ),
            rx.el.button(
                _quote_box(quote.sender_id, _words(quote.sender_id, quote.kind, words, gone)),
                type="button",
                class_name="reply-quote",
                # Named by what it quotes (a label in its place hid whom and what); where
                # a press goes is its description.
                title=tr("reply_go_to"),
                on_click=ConversationState.open_at_message(
                    ConversationState.conversation_id, quote.seq
                ),
                style={
                    "all": "unset",
                    "display": "block",
                    "cursor": "pointer",
                    "margin_bottom": "0.3em",
                    "max_width": "100%",
                },
            ),
        ),
    )


def _replying() -> rx.Var:
    """A reply is being written in the open chat, by the user signed in now."""
    # State vars read as their Python types to the checker; these are Vars.
    return cast(
        rx.Var,
        (ReplyState.reply_seq != 0)
        & (ReplyState.reply_conversation == ConversationState.conversation_id)
        & (ReplyState.reply_user_id == ConversationState.my_id),
    )


def reply_bar() -> rx.Component:
    """Above the composer while a reply is written: the quote, and a button to drop it."""
    line = _words(ReplyState.reply_sender_id, ReplyState.reply_kind, ReplyState.reply_text, False)
    return rx.cond(
        _replying(),
        rx.hstack(
            rx.icon("reply", size=18, color="var(--accent-11)", flex_shrink="0"),
            _quote_box(ReplyState.reply_sender_id, line, flex="1"),
            icon_button(
                "x",
                id="cancel-reply",
                variant="ghost",
                color_scheme="gray",
                size="3",
                aria_label=tr("reply_cancel"),
                on_click=ReplyState.stop_replying,
            ),
            id="reply-bar",
            align="center",
            width="100%",
        ),
    )


def reply_field() -> rx.Component:
    """The composer form's hidden field naming the message answered (0: none)."""
    return rx.el.input(
        type="hidden",
        name="reply_to",
        read_only=True,
        value=rx.cond(_replying(), ReplyState.reply_seq, 0),
    )

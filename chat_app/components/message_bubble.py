"""One message: text as plain text (never HTML), time, and for own messages the status."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.attachment import attachment
from chat_app.components.message_time import bubble_time
from chat_app.components.reactions import reaction_chips
from chat_app.components.reply_quote import bubble_quote
from chat_app.states.ui import tr


def _not_sent(message: Any, *buttons: rx.Component) -> rx.Component:
    """The "Not sent: <reason>" line, with the buttons that can still act on it."""
    return rx.hstack(
        rx.text(
            tr("status_failed"),
            ": ",
            message.error,
            color_scheme="red",
            class_name="message-status",
        ),
        *buttons,
        align="center",
        spacing="2",
    )


def _status(
    message: Any, friend_read_seq: Any, on_retry: Any, on_discard: Any, group: Any, in_group: Any
) -> Any:
    def delete() -> rx.Component:
        return rx.button(
            tr("button_discard"),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=on_discard(message.client_id),
        )

    retry = rx.button(
        tr("button_retry"),
        size="1",
        variant="soft",
        color_scheme="red",
        on_click=on_retry(message.client_id),
    )
    return rx.match(
        message.status,
        ("sending", rx.text(tr("status_sending"), class_name="message-status")),
        # A retry may store it (a network or server failure, the rate limit).
        ("failed", _not_sent(message, retry, delete())),
        # A refusal no retry can change (not friends any more, the text rules): Delete only.
        ("refused", _not_sent(message, delete())),
        rx.cond(
            in_group,
            # "Read by N" in a group (components/read_by.py).
            group,
            rx.text(
                rx.cond(message.seq <= friend_read_seq, tr("status_read"), tr("status_sent")),
                class_name="message-status",
            ),
        ),
    )


def _part(part: Any) -> rx.Component:
    """A run of a message's text: plain, or a web address that opens in a new tab."""
    return rx.cond(
        part.href != "",
        rx.el.a(
            part.text,
            href=part.href,
            target="_blank",
            # The page's address stays private, and the message gives the link no rank.
            rel="noopener noreferrer nofollow",
            class_name="message-link",
            color="var(--accent-11)",
            text_decoration="underline",
        ),
        rx.fragment(part.text),
    )


def _content(message: Any) -> rx.Component:
    return rx.cond(
        message.kind == "text",
        rx.text(
            # Only a message with an address carries parts (services/links.py).
            rx.cond(message.parts.length() > 0, rx.foreach(message.parts, _part), message.body),
            class_name="message-body",
            white_space="pre-wrap",
            word_break="break-word",
            # Lines start where the script starts reading (the drop zone around the list
            # centres text): left, or right for Arabic and Hebrew, whatever the page's
            # direction; the browser picks it from the first strong letter.
            dir="auto",
            text_align="start",
        ),
        attachment(message),
    )


def message_bubble(
    message: Any,
    my_id: Any,
    friend_read_seq: Any,
    on_retry: Any,
    on_discard: Any,
    *,
    beside: rx.Component | None = None,
    above: rx.Component | None = None,
    cover: tuple[Any, rx.Component] | None = None,
    menu: rx.Component | None = None,
    shown: Any = None,
    highlighted: Any = False,
    found: Any = False,
    group_status: Any = None,
    in_group: Any = False,
) -> rx.Component:
    """A chat bubble: own messages on the right with their delivery status.

    Args:
        message: The message var.
        my_id: The viewer's id (their messages are on the right).
        friend_read_seq: How far the other side read (direct chats: "Read").
        on_retry: Resends a failed message (its client id).
        on_discard: Drops an unsent message (its client id).
        beside: Before the bubble (a group: the sender's picture or its gap).
        above: Above the bubble (a group: the sender's name).
        cover: (condition, what to show instead of the message while it holds).
        menu: The message's menu button, between the bubble and the middle of the list.
        shown: The message as it is now, when it may have changed since it was read (its
            text, "edited" and its reactions); `message` otherwise.
        highlighted: The message mentions the reader (outlined in the colour of a mention).
        found: The search result the list opened at (outlined in the accent colour).
        group_status: Replaces "Sent"/"Read" of a stored message while `in_group` holds
            ("Read by N", components/read_by.py).
        in_group: Whether the open conversation is a group.
    """
    mine = message.sender_id == my_id
    now = shown if shown is not None else message
    content = rx.fragment(bubble_quote(message), _content(now), reaction_chips(message, now))
    edited = now.edited
    if cover is not None:
        content = rx.cond(cover[0], cover[1], content)
        # Under "This message was deleted" (or a blocked sender's line) "edited" says nothing.
        edited = edited & ~cover[0]
    bubble = rx.box(
        content,
        rx.hstack(
            rx.cond(edited, rx.text(tr("message_edited"), class_name="message-edited")),
            bubble_time(message.sent_at),
            rx.cond(
                mine,
                _status(message, friend_read_seq, on_retry, on_discard, group_status, in_group),
            ),
            spacing="2",
            justify="end",
            font_size="0.75em",
            # The time is written after the bubble is mounted: its line is reserved, so
            # a list opened at a message above its bottom stays there.
            min_height="1.5em",
            color="var(--gray-11)",
        ),
        class_name=rx.cond(
            found, "bubble found", rx.cond(highlighted, "bubble mentions-me", "bubble")
        ),
        background=rx.cond(mine, "var(--accent-a4)", "var(--gray-a3)"),
        box_shadow=rx.cond(
            found,
            "inset 0 0 0 2px var(--accent-9)",
            rx.cond(highlighted, "inset 0 0 0 2px var(--amber-8)", "none"),
        ),
        padding="0.5em 0.75em",
        border_radius="12px",
        max_width="100%",
    )
    menu = menu if menu is not None else rx.fragment()
    return rx.flex(
        beside if beside is not None else rx.fragment(),
        # Towards the middle of the list: before one's own bubble, after another's.
        rx.cond(mine, menu),
        rx.flex(
            above if above is not None else rx.fragment(),
            bubble,
            direction="column",
            align=rx.cond(mine, "end", "start"),
            max_width="75%",
            min_width="0",
        ),
        rx.cond(mine, rx.fragment(), menu),
        class_name=rx.cond(mine, "message mine", "message theirs"),
        data_seq=message.seq,
        id="message-" + message.seq.to(str),
        justify=rx.cond(mine, "end", "start"),
        width="100%",
        padding="0.15em 1em",
    )

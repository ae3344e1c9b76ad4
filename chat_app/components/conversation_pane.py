"""The right pane: header (components/conversation_header.py), messages, composer.

A departed member (an ex-friend, or one who left or was removed from a group) reads the
history and sees a line instead of the composer.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ArrayVar

from chat_app.components.bottom_probe import AnimatedDiv, bottom_probes
from chat_app.components.composer import composer
from chat_app.components.conversation_header import conversation_header
from chat_app.components.forward_dialog import forward_dialog
from chat_app.components.group_message import (
    collapsed,
    collapsed_body,
    sender_name,
    sender_picture,
    system_line,
)
from chat_app.components.message_actions import (
    as_now,
    delete_dialog,
    deleted_body,
    edit_dialog,
    is_deleted,
    message_menu,
)
from chat_app.components.message_bubble import message_bubble
from chat_app.components.name_text import shown_name
from chat_app.components.read_by import group_read_status, readers_dialog
from chat_app.components.reading_line import reading_line
from chat_app.components.upload_zone import drop_zone
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import LIST_END, ConversationState
from chat_app.states.live_messages import slot_name
from chat_app.states.message_buffer import LIVE_BANK, LIVE_SLOTS
from chat_app.states.safe_text import scroll_to
from chat_app.states.ui import tr

# The element the list scrolls to when it opens above its bottom.
OPEN_AT = "message-list-open-at"


def _new_messages_divider() -> rx.Component:
    return rx.hstack(
        rx.separator(size="4", flex="1"),
        rx.text(tr("divider_new_messages"), size="1", weight="medium", color_scheme="red"),
        rx.separator(size="4", flex="1"),
        id="new-messages-divider",
        role="separator",
        align="center",
        padding="0.5em 1em",
    )


def _is(message, seq) -> rx.Var:
    # Messages being sent have seq 0, which also means "none" here.
    return (message.seq > 0) & (message.seq == seq)


def _message(message) -> rx.Component:
    return rx.box(
        rx.cond(message.seq > 0, reading_line(ConversationState.conversation_id, message.seq)),
        # Scrolls the list to this row once, when it is shown (its 1 ms animation starts
        # then; an `on_mount` here would be hoisted to the page and run only with it), and
        # tells the server first (the list is at its bottom for that moment, also after a
        # reload).
        rx.cond(
            _is(message, ConversationState.open_at),
            AnimatedDiv.create(
                id=OPEN_AT,
                class_name="open-at-probe",
                on_animation_start=[
                    ConversationState.opening_above_bottom,
                    scroll_to(OPEN_AT),
                ],
            ),
        ),
        rx.cond(_is(message, ConversationState.unread_from), _new_messages_divider()),
        rx.cond(
            message.kind == "system",
            system_line(message),
            message_bubble(
                message,
                ConversationState.my_id,
                ConversationState.friend_read_seq,
                on_retry=ComposerState.retry,
                on_discard=ComposerState.discard,
                beside=sender_picture(message),
                above=sender_name(message),
                cover=(
                    is_deleted(message) | collapsed(message),
                    rx.cond(is_deleted(message), deleted_body(), collapsed_body(message)),
                ),
                menu=message_menu(message),
                shown=as_now(message),
                highlighted=ConversationState.mentioned_seqs.contains(message.seq)
                & ~is_deleted(message),
                found=_is(message, ConversationState.found_seq),
                group_status=group_read_status(message),
                in_group=ConversationState.is_group,
            ),
        ),
        key=message.sender_id.to(str) + ":" + message.client_id,
        width="100%",
        # Deleted for this user only: left out of their view, in place (keys stay).
        display=rx.cond(
            (message.seq > 0) & ConversationState.hidden_seqs.contains(message.seq),
            "none",
            "block",
        ),
    )


def _live_messages() -> ArrayVar:
    # The two banks of slots, `first_bank` first, empty slots left out: they hold the
    # messages in seq order from there, so the DOM order is the reading order. The list is
    # built in the browser from the slot vars (nothing more on the wire), and one keyed
    # template renders it: turning the banks over moves nodes, it does not rebuild them.
    slots = [getattr(ConversationState, slot_name(index)) for index in range(LIVE_SLOTS)]
    bank_0_first = rx.Var.create(slots)
    bank_1_first = rx.Var.create([*slots[LIVE_BANK:], *slots[:LIVE_BANK]])
    shown = rx.cond(ConversationState.first_bank == 0, bank_0_first, bank_1_first)
    # An array var of the slots' type at run time; the stubs only say Var.
    return cast(ArrayVar, shown).filter()


def _page_button(shown: Any, name: str, on_click: Any, padding: str) -> rx.Component:
    """The button "Load older" above the messages, or "Load newer" below them.

    Not a scroll anchor: the browser anchors on the messages around it, so a page coming
    in above moves nothing.
    """
    return rx.cond(
        shown,
        rx.center(
            rx.button(
                tr("button_" + name),
                id=name.replace("_", "-"),
                variant="soft",
                size="1",
                on_click=on_click,
            ),
            padding=padding,
            overflow_anchor="none",
        ),
    )


def _messages() -> rx.Component:
    # Top to bottom in the DOM as on screen: "load older", the window, the live banks, the
    # messages being sent, "jump to latest". No CSS `order`: the list scrolls in a reversed
    # flex column around ONE block holding them in reading order, so the scroll origin is
    # the bottom. A new list starts at the newest message; while the reader is at the
    # bottom, whatever grows (new messages, a taller composer) keeps the bottom in view;
    # scrolled up, Chromium's scroll anchoring keeps the message being read in place, and
    # older messages coming in above move nothing.
    return rx.box(
        rx.box(
            _page_button(
                ConversationState.has_older, "load_older", ConversationState.load_older, "0.5em"
            ),
            rx.cond(
                ~ConversationState.has_messages,
                rx.center(rx.text(tr("no_messages"), color_scheme="gray"), padding="2em"),
            ),
            rx.foreach(ConversationState.window, _message),
            rx.foreach(_live_messages(), _message),
            rx.foreach(ConversationState.pending, _message),
            # Above the "↓ Latest" that floats over the list's bottom while it stops short
            # (it covered the last message's bottom).
            _page_button(
                ConversationState.has_newer,
                "load_newer",
                ConversationState.load_newer,
                "0.5em 0.5em 3.5em",
            ),
            rx.box(id=LIST_END, height="1px"),
            bottom_probes(ConversationState.reader_at_bottom, ConversationState.reader_scrolled_up),
            id="message-list-content",
            padding_y="0.5em",
            width="100%",
        ),
        # A new list per conversation: it starts at its bottom, not where the last one was.
        key=ConversationState.conversation_id,
        id="message-list",
        # Focusable from a handler (after the last "Load newer"), not a stop of its own.
        tab_index=-1,
        # A log: screen readers read out what is added (a new message), not what was there.
        role="log",
        aria_label=tr("messages_label"),
        display="flex",
        flex_direction="column-reverse",
        flex="1",
        min_height="0",
        overflow_y="auto",
        width="100%",
    )


_PILL: dict[str, Any] = {
    "size": "2",
    "radius": "full",
    "position": "absolute",
    "bottom": "0.75em",
    "left": "50%",
    "transform": "translateX(-50%)",
    "box_shadow": "var(--shadow-3)",
}


def _new_below() -> rx.Component:
    # While the list shows older messages than the newest (a search result, a reply's
    # quote, a long scroll up): a way down to the newest that stays in sight, with the
    # count of what came meanwhile (it sat after the page's last message, out of sight on
    # a phone). Otherwise shown while messages came in that the reader has not seen; the
    # probes clear it once the list is back at its bottom.
    new = rx.text.span("↓ ", ConversationState.unseen, " ", tr("button_new_below"))
    return rx.cond(
        ConversationState.has_newer,
        rx.button(
            rx.cond(ConversationState.unseen > 0, new, rx.text.span("↓ ", tr("button_latest"))),
            id="jump-latest",
            aria_label=tr("button_jump_latest"),
            on_click=ConversationState.jump_to_latest,
            **_PILL,
        ),
        rx.cond(
            ConversationState.unseen > 0,
            rx.button(new, id="new-below", on_click=scroll_to(LIST_END), **_PILL),
        ),
    )


def _read_only_line() -> rx.Component:
    # In place of the composer of a past conversation: nothing to type, attach or send.
    return rx.text(
        rx.cond(
            ConversationState.is_group,
            tr("read_only_group"),
            rx.fragment(
                tr("read_only_before"),
                shown_name(ConversationState.open_friend_nickname),
                tr("read_only_after"),
            ),
        ),
        id="read-only-line",
        role="status",
        size="2",
        color_scheme="gray",
        text_align="center",
        overflow_wrap="anywhere",
        padding="0.75em 1em calc(0.75em + env(safe-area-inset-bottom))",
        border_top="1px solid var(--gray-a5)",
        width="100%",
    )


def conversation_pane() -> rx.Component:
    """The open conversation, or a hint to pick a friend."""
    return rx.cond(
        ConversationState.conversation_id != 0,
        rx.flex(
            conversation_header(),
            readers_dialog(),
            delete_dialog(),
            edit_dialog(),
            forward_dialog(),
            drop_zone(
                rx.box(
                    _messages(),
                    _new_below(),
                    position="relative",
                    display="flex",
                    flex_direction="column",
                    flex="1",
                    min_height="0",
                ),
                disabled=ConversationState.read_only,
            ),
            rx.cond(ConversationState.read_only, _read_only_line(), composer()),
            id="conversation-pane",
            role="main",
            direction="column",
            flex="1",
            min_width="0",
            height="100%",
        ),
        rx.center(
            rx.text(tr("conversation_empty"), color_scheme="gray"),
            id="conversation-placeholder",
            role="main",
            flex="1",
            display=["none", "none", "flex"],
        ),
    )

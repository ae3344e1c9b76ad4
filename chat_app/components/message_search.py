"""Message search at the top of the Chats tab, and its results in place of the chat list.

Each result: the conversation's picture and name, when, and one line of the message with
the words found marked; a click opens the conversation at that message.
"""

from __future__ import annotations

from typing import cast

import reflex as rx

from chat_app.components.avatar import avatar
from chat_app.components.icon_button import icon_button
from chat_app.components.message_time import row_time
from chat_app.components.name_text import lines_cut, name_text, shown_name
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from chat_app.states.message_search import QUERY_MAX, SEARCH_FIELD_ID, MessageSearchState
from chat_app.states.notices import close_conversation_toast
from chat_app.states.ui import tr


def search_shown() -> rx.Var:
    """Whether the results (or the search's progress or refusal) replace the chat list."""
    state = MessageSearchState
    shown = (state.scope_id != 0) | (state.searched != "") | state.searching | (state.error != "")
    return cast(rx.Var, shown)


def _scope_chip() -> rx.Component:
    """Where the search looks when it is one conversation, and the way out to all."""
    return rx.hstack(
        rx.text(tr("message_search_in"), size="2", color_scheme="gray", flex_shrink="0"),
        name_text(MessageSearchState.scope_title, size="2", weight="medium", flex="1"),
        icon_button(
            "x",
            id="message-search-everywhere",
            aria_label=tr("message_search_everywhere"),
            title=tr("message_search_everywhere"),
            variant="soft",
            size="1",
            on_click=MessageSearchState.search_everywhere,
        ),
        id="message-search-scope",
        align="center",
        spacing="2",
        width="100%",
        padding="0.5em 1em 0",
    )


def search_this_chat_button() -> rx.Component:
    """The conversation header's search button (desktops; a phone's is in the ⋮ menu,
    components/chat_more_menu.py, and goes back to the list)."""
    return icon_button(
        "search",
        id="search-this-chat",
        on_click=MessageSearchState.search_in(ConversationState.conversation_id),
        variant="ghost",
        size="3",
        aria_label=tr("message_search_this_chat"),
        title=tr("message_search_this_chat"),
    )


def message_search_form() -> rx.Component:
    """The search field, its button and, while results are shown, the close button."""
    return rx.form(
        rx.hstack(
            rx.input(
                name="query",
                id=SEARCH_FIELD_ID,
                type="search",
                placeholder=tr("message_search_placeholder"),
                aria_label=tr("message_search_label"),
                max_length=QUERY_MAX,
                auto_complete="off",
                flex="1",
                min_width="0",
                size="2",
            ),
            icon_button(
                "search",
                type="submit",
                id="message-search-submit",
                aria_label=tr("message_search_label"),
                variant="soft",
                size="2",
            ),
            rx.cond(
                search_shown(),
                icon_button(
                    "x",
                    type="button",
                    id="message-search-close",
                    aria_label=tr("message_search_close"),
                    variant="ghost",
                    color_scheme="gray",
                    size="2",
                    on_click=MessageSearchState.close,
                ),
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        on_submit=MessageSearchState.search,
        reset_on_submit=False,
        flex="1",
        min_width="0",
    )


def _part(part) -> rx.Component:
    return rx.cond(
        part.marked,
        rx.el.mark(part.text, class_name="search-match"),
        rx.text.span(part.text),
    )


def _found_line(row) -> rx.Component:
    who = rx.cond(
        row.mine,
        rx.text.span(tr("message_search_you"), ": "),
        rx.cond(row.sender != "", rx.text.span(shown_name(row.sender), ": ")),
    )
    return rx.text(
        who,
        rx.cond(row.file, rx.text.span(tr("message_search_file"), " · ")),
        rx.foreach(row.parts, _part),
        size="2",
        color_scheme="gray",
        class_name="search-line",
        # Two lines at most: the words found are near the start (services/snippets.py).
        style={**lines_cut(2), "overflow-wrap": "anywhere"},
    )


def _found_row(row) -> rx.Component:
    # A real <button>, like a chat row: reachable with Tab, opened with Enter or Space.
    return rx.el.button(
        rx.hstack(
            avatar(shown_name(row.title), size="3", src=row.avatar_url),
            rx.vstack(
                rx.hstack(
                    name_text(row.title, weight="medium", trim="both", flex="1"),
                    row_time(row.sent_at, font_size="0.75em", color="var(--gray-11)"),
                    width="100%",
                    align="center",
                    spacing="2",
                ),
                _found_line(row),
                spacing="1",
                min_width="0",
                flex="1",
                align="stretch",
            ),
            align="center",
            width="100%",
            padding="0.5em 1em",
        ),
        on_click=[
            ConversationState.open_at_message(row.conversation_id, row.seq),
            close_conversation_toast(row.conversation_id),
            ComposerState.clear,
        ],
        key=row.message_id,
        class_name="search-result",
        data_conversation=row.conversation_id,
        data_seq=row.seq,
        style={
            "all": "unset",
            "display": "block",
            "width": "100%",
            "cursor": "pointer",
            "_hover": {"background": "var(--gray-a3)"},
            "_focus_visible": {"outline": "2px solid var(--accent-8)"},
        },
    )


def _note(content: rx.Component | rx.Var | str, element_id: str) -> rx.Component:
    return rx.text(content, id=element_id, size="2", color_scheme="gray", padding="0.75em 1em")


def _said_when_done() -> rx.Component:
    """What a screen reader says as a search ends: how many were found ("20+"), or none.

    The results and the note change without the focus moving: without a live region a
    screen reader's user was told nothing. Its text is all state vars and fixed strings.
    """
    state = MessageSearchState
    count = rx.Var.create(state.found).to(list).length().to(str)
    found = tr("message_search_count", count="\x00").split("\x00")
    return rx.el.div(
        rx.cond(
            state.searching,
            "",
            rx.cond(
                state.found,
                rx.fragment(found[0], count, rx.cond(state.more, "+", ""), found[1]),
                rx.cond(
                    state.searched != "",
                    rx.fragment(tr("message_search_none"), " “", state.searched, "”"),
                    "",
                ),
            ),
        ),
        role="status",
        id="message-search-status",
        class_name="visually-hidden",
    )


def message_search_results() -> rx.Component:
    """The results, newest first, with "Show more"; or why there are none."""
    state = MessageSearchState
    return rx.vstack(
        _said_when_done(),
        rx.cond(state.scope_id != 0, _scope_chip()),
        rx.cond(state.error != "", _note(state.error, "message-search-error")),
        rx.cond(
            state.found,
            rx.vstack(
                rx.foreach(state.found, _found_row),
                id="message-search-results",
                spacing="0",
                width="100%",
            ),
            rx.cond(
                (state.searched != "") & ~state.searching,
                _note(
                    rx.fragment(tr("message_search_none"), " “", state.searched, "”"),
                    "message-search-none",
                ),
            ),
        ),
        rx.cond(state.searching, _note(tr("message_search_busy"), "message-search-busy")),
        rx.cond(
            state.shallow & ~state.searching,
            _note(tr("message_search_shallow"), "message-search-shallow"),
        ),
        rx.cond(
            state.more & ~state.searching,
            rx.center(
                rx.button(
                    tr("message_search_more"),
                    id="message-search-more",
                    variant="soft",
                    size="1",
                    on_click=MessageSearchState.show_more,
                ),
                width="100%",
                padding="0.5em",
            ),
        ),
        spacing="0",
        width="100%",
    )

"""The message composer: emoji picker, pasted pictures, errors, a count near the limit.

On a desktop Enter sends and Shift+Enter makes a new line; on a phone or tablet Enter
makes a new line and the send button sends (as phone keyboards expect).
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.banner import has_connection_errors
from reflex_components_core.core.clipboard import Clipboard

from chat_app.components.emoji_picker import emoji_picker
from chat_app.components.form_field import browser_cap
from chat_app.components.icon_button import icon_button
from chat_app.components.mention_picker import mention_options
from chat_app.components.reply_quote import reply_bar, reply_field
from chat_app.components.upload_zone import attach_button, upload_progress
from chat_app.settings import SETTINGS
from chat_app.states.composer import (
    COUNT_SHOWN_FROM,
    DRAFT_MAX,
    MAX_MESSAGE_LENGTH,
    ComposerState,
)
from chat_app.states.conversation import LIST_END, ConversationState
from chat_app.states.mention_picker import MentionPickerState
from chat_app.states.outbox import OutboxState
from chat_app.states.safe_text import scroll_to
from chat_app.states.ui import UiState, tr
from chat_app.states.uploads import PASTE_MAX_CHARS, UploadState

# The box around the text area: a paste there reaches the clipboard listener on it.
COMPOSER_BOX_ID = "composer-box"


def _pasted_image(items):
    """What a paste into the composer sends: the first picture, only if it is small.

    Reflex's clipboard component reads every pasted item into the browser (files as data
    URLs) and sends what `on_paste` names in one websocket frame; a frame over 1,000,000
    characters would drop the socket. These Var operations run in the browser and keep
    only the first image item, and its data URL only up to PASTE_MAX_CHARS (else its
    length alone, so the server can say why nothing came). Pasted text is left to the
    text area and never sent this way.
    """
    images = items.filter(lambda item: item[0].startswith("image/"))
    first = images[0][1].to(str)
    has_image = images.length() > 0
    return UploadState.paste_image(
        rx.cond(has_image & (first.length() <= PASTE_MAX_CHARS), first, ""),
        rx.cond(has_image, first.length(), 0),
    )


def composer() -> rx.Component:
    """Pinned under the message list."""
    too_long = ComposerState.draft_length > MAX_MESSAGE_LENGTH
    return rx.vstack(
        rx.clipboard(
            # The box around the text area, not the text area: that is replaced by a new
            # one after each send (see `key` below), and the listener stays on the first.
            targets=[COMPOSER_BOX_ID],
            # A chain, not the bare function: Clipboard.create reads `.event_actions`.
            # Reflex's annotations accept neither a chain nor a one-argument function here,
            # though both work at run time (tests/e2e/test_paste_image.py).
            on_paste=rx.EventChain.create(  # pyright: ignore[reportArgumentType]
                _pasted_image,  # pyright: ignore[reportArgumentType]
                Clipboard.get_event_triggers()["on_paste"],
            ),
        ),
        upload_progress(),
        # Sends made now wait in the browser's queue and go out on reconnect; the text
        # stays in the composer until the server has taken it.
        rx.cond(
            has_connection_errors,
            rx.text(
                tr("composer_offline"),
                id="composer-offline",
                color_scheme="amber",
                size="2",
                role="status",
            ),
        ),
        rx.cond(
            ComposerState.composer_error != "",
            rx.text(
                ComposerState.composer_error,
                id="composer-error",
                color_scheme="red",
                size="2",
                role="alert",
            ),
        ),
        reply_bar(),
        rx.form(
            rx.hstack(
                emoji_picker(),
                attach_button(),
                reply_field(),
                # Which conversation this text is for, sent with it (the server checks it).
                rx.el.input(
                    type="hidden",
                    name="conversation_id",
                    read_only=True,
                    value=ConversationState.conversation_id,
                ),
                # The id issued ahead for this text: sending it twice stores it once.
                rx.el.input(
                    type="hidden",
                    name="client_id",
                    read_only=True,
                    value=OutboxState.next_client_id,
                ),
                # Debounced: the text stays local while typing (a round trip per key would
                # drop characters), yet the state can still clear it or add an emoji. The
                # `@` options float above it and follow it in the DOM (Tab reaches them).
                rx.box(
                    rx.debounce_input(
                        rx.el.textarea(
                            name="body",
                            id="composer",
                            value=ComposerState.draft,
                            # The box says which send it is for (see `key` below).
                            on_change=[
                                lambda value: ComposerState.set_draft(
                                    value, OutboxState.next_client_id
                                ),
                                MentionPickerState.follow_draft,
                            ],
                            # A new box after a send takes the focus the old one had, on a
                            # desktop: on a touch screen the tap on Send took it already, and
                            # a dialog opened meanwhile (the group's info, say) would lose it
                            # and close when the send's answer arrives late.
                            auto_focus=rx.cond(UiState.touch_screen, False, ComposerState.refocus),
                            enter_key_submit=rx.cond(UiState.touch_screen, False, True),
                            # Short, to fit one line on a phone; the Enter hint is under the form.
                            placeholder=tr("composer_placeholder"),
                            aria_label=tr("composer_label"),
                            # Far above the message limit: a long paste stays whole, the count
                            # below and the refusal on send say what is too long. Only a paste
                            # over what the server keeps as a draft is cut, and still refused
                            # (without a cap, a paste over 1,000,000 characters would drop the
                            # socket, and the queued event would drop it again on reconnect).
                            max_length=browser_cap(DRAFT_MAX),
                            rows="1",
                            style={
                                "flex": "1",
                                # Narrower than its default 20 columns: at 200 % zoom on a
                                # phone (a 195-260 px page) it pushed Send off the screen.
                                "min_width": "0",
                                "resize": "none",
                                "min_height": "44px",
                                "max_height": "8em",
                                "padding": "0.6em 0.75em",
                                "border_radius": "8px",
                                "border": "1px solid var(--gray-a7)",
                                "background": "var(--color-surface)",
                                "color": "var(--gray-12)",
                                "font": "inherit",
                                "field_sizing": "content",
                            },
                        ),
                        debounce_timeout=300,
                        # A new box for each message: one "typing" (a key in the 300 ms
                        # before) ignores the state's text, so a box that a key reached
                        # before the send's answer kept the sent text, and the next
                        # message went out glued to it. Its last keys reach `set_draft`
                        # as it goes, which keeps what followed the sent text.
                        key=OutboxState.next_client_id,
                    ),
                    mention_options(),
                    id=COMPOSER_BOX_ID,
                    flex="1",
                    min_width="0",
                    display="flex",
                ),
                icon_button(
                    "send-horizontal",
                    type="submit",
                    id="send-button",
                    size="3",
                    aria_label=tr("button_send"),
                    class_name="composer-tool",
                ),
                align="end",
                width="100%",
                # The `@` options float above the whole row, not the text area alone (on a
                # phone that is under 200 px wide, and cut every name).
                position="relative",
            ),
            # Scrolled up, the reader sees what they sent, as in every chat app: the list
            # goes to its end first, and then keeps its end in view as the message comes.
            on_submit=[scroll_to(LIST_END), ComposerState.send],
            reset_on_submit=False,
            width="100%",
        ),
        rx.hstack(
            rx.text(
                rx.cond(UiState.touch_screen, "", tr("composer_enter_hint")),
                # A space between the sentences in English; none after a Chinese full stop.
                rx.cond(UiState.touch_screen | (UiState.language == "zh"), "", " "),
                tr("upload_hint", limit=SETTINGS.max_upload_mb),
                id="upload-hint",
                size="1",
                color_scheme="gray",
                display=["none", "none", "block"],
            ),
            rx.cond(
                ComposerState.draft_length >= COUNT_SHOWN_FROM,
                rx.text(
                    # "3,812 / 4,000": the number formatted by a Var operation.
                    f"{ComposerState.draft_length:,} / {MAX_MESSAGE_LENGTH:,}",
                    id="composer-count",
                    size="1",
                    color_scheme=rx.cond(too_long, "red", "gray"),
                    weight=rx.cond(too_long, "bold", "regular"),
                    margin_left="auto",
                    white_space="nowrap",
                    aria_live="polite",
                ),
            ),
            width="100%",
            align="baseline",
        ),
        padding="0.5em 0.75em calc(0.5em + env(safe-area-inset-bottom))",
        border_top="1px solid var(--gray-a5)",
        width="100%",
        spacing="1",
    )

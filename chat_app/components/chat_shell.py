"""The logged-in layout: header with the user menu, friend pane, conversation pane.

Desktop (>= 768 px) shows both panes; a phone shows one at a time (the conversation
once one is open, with a back button in its header).
"""

from __future__ import annotations

import reflex as rx

from chat_app.components.avatar_dialog import avatar_dialog
from chat_app.components.change_password_dialog import change_password_dialog
from chat_app.components.conversation_pane import conversation_pane
from chat_app.components.friend_pane import friend_pane
from chat_app.components.logout_warning import logout_warning
from chat_app.components.user_menu import user_menu
from chat_app.states.conversation import ConversationState
from chat_app.states.ui import tr


def chat_shell() -> rx.Component:
    """The page body for a logged-in user."""
    conversation_open = ConversationState.conversation_id != 0
    return rx.flex(
        rx.hstack(
            # A long nickname in the menu beside it is cut; the app's name is not squeezed.
            rx.heading(tr("app_name"), size="5", flex_shrink="0", white_space="nowrap"),
            rx.spacer(),
            rx.color_mode.button(aria_label=tr("theme_toggle"), id="theme-toggle"),
            user_menu(),
            align="center",
            padding="0.5em 1em",
            border_bottom="1px solid var(--gray-a5)",
            width="100%",
            class_name="app-header",
            # Landmarks: a screen reader's user jumps between the header, the lists and
            # the conversation instead of reading every control from the top.
            role="banner",
        ),
        rx.flex(
            rx.box(
                friend_pane(),
                class_name="friend-column",
                role="navigation",
                aria_label=tr("landmark_chats"),
                width=["100%", "100%", "auto"],
                height="100%",
            ),
            conversation_pane(),
            flex="1",
            min_height="0",
            width="100%",
        ),
        change_password_dialog(),
        avatar_dialog(),
        logout_warning(),
        # Mounted whenever someone is signed in: a change while no chat is open counts too.
        rx.window_event_listener(on_visibility_change=ConversationState.tab_visibility),
        # On phones (styles.css) an open conversation hides the header and friend list.
        class_name=rx.cond(conversation_open, "chat-shell conversation-open", "chat-shell"),
        direction="column",
        height="100dvh",
        width="100%",
        overflow="hidden",
    )

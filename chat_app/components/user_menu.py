"""The account menu in the header: nickname, sound, change password, log out (here or everywhere).

It also holds the sound player, which lives as long as someone is signed in.
"""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.components.avatar import avatar
from chat_app.components.chime import chime
from chat_app.components.name_text import name_text
from chat_app.states.admin_access import AdminAccessState
from chat_app.states.auth import AuthState
from chat_app.states.chat_list import ChatListState
from chat_app.states.chime import ChimeState
from chat_app.states.conversation import ConversationState
from chat_app.states.password_change import PasswordChangeState
from chat_app.states.profile import ProfileState
from chat_app.states.sign_out import SignOutState
from chat_app.states.ui import UiState, tr


def _sound_item() -> rx.Component:
    """On/off for the new-message sound, a checkable menu item (for screen readers too)."""
    return rx.dropdown_menu.item(
        rx.icon(rx.cond(ChimeState.enabled, "bell", "bell-off"), size=16),
        rx.text(tr("menu_sound"), flex="1"),
        rx.switch(
            checked=ChimeState.enabled,
            size="1",
            tab_index=-1,
            aria_hidden="true",
            pointer_events="none",
        ),
        id="menu-sound",
        custom_attrs={"role": "menuitemcheckbox", "aria-checked": ChimeState.enabled},
        on_select=ChimeState.set_enabled(rx.cond(ChimeState.enabled, False, True)),
    )


def _language_item(language: str, label: str) -> rx.Component:
    """One language, a menu item with a tick when chosen.

    Items, not the segmented switch of the signed-out pages: the menu's arrow keys reach
    only its items, and Tab does not leave it, so a keyboard could not switch here.
    """
    chosen = (UiState.language == "zh") if language == "zh" else (UiState.language != "zh")
    return rx.dropdown_menu.item(
        rx.icon("check", size=16, opacity=rx.cond(chosen, "1", "0")),
        rx.text(tr(label), flex="1"),
        id=f"language-{language}",
        custom_attrs={"role": "menuitemradio", "aria-checked": chosen},
        # The open group's system lines and the list's lines in words ("A member left",
        # "Message deleted") follow the switch: they are written in state.
        on_select=[
            UiState.set_language(language),
            ConversationState.follow_language,
            ChatListState.load,
        ],
    )


def user_menu() -> rx.Component:
    """A dropdown behind the user's nickname, and the sound player."""
    return rx.fragment(_menu(), chime())


def _menu() -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                avatar(AuthState.nickname, size="1", src=AuthState.avatar_url),
                name_text(AuthState.nickname, id="current-nickname"),
                rx.icon("chevron-down", size=14, flex_shrink="0"),
                id="user-menu",
                aria_label=tr("menu_user"),
                variant="ghost",
                size="3",
                # Shrinks (its name cut) rather than push the header wider than a phone.
                min_width="0",
                max_width="20em",
                flex_shrink="1",
            )
        ),
        rx.dropdown_menu.content(
            # The menu is where a user sees their own name whole: it wraps, not cut.
            rx.box(
                rx.text(AuthState.nickname, weight="medium", overflow_wrap="anywhere"),
                rx.text(
                    "@",
                    AuthState.username,
                    id="current-username",
                    color_scheme="gray",
                    overflow_wrap="anywhere",
                ),
                padding="0.25em 0.75em",
            ),
            rx.dropdown_menu.separator(),
            rx.text(tr("language"), size="1", color_scheme="gray", padding="0 0.75em"),
            _language_item("en", "language_en"),
            _language_item("zh", "language_zh"),
            rx.dropdown_menu.separator(),
            _sound_item(),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                tr("menu_my_account"), id="menu-my-account", on_select=rx.redirect(routes.ACCOUNT)
            ),
            rx.dropdown_menu.item(
                tr("menu_avatar"),
                id="menu-avatar",
                on_select=ProfileState.set_avatar_dialog_open(True),
            ),
            rx.dropdown_menu.item(
                tr("menu_change_password"),
                id="menu-change-password",
                on_select=PasswordChangeState.set_password_dialog_open(True),
            ),
            # Shown from the server's answer at page load; the page checks again itself.
            rx.cond(
                AdminAccessState.is_admin,
                rx.dropdown_menu.item(
                    tr("admin_menu"), id="menu-admin", on_select=rx.redirect(routes.ADMIN)
                ),
            ),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                tr("menu_logout"), id="menu-logout", on_select=SignOutState.log_out(False)
            ),
            rx.dropdown_menu.item(
                tr("menu_logout_everywhere"),
                id="menu-logout-everywhere",
                color_scheme="red",
                on_select=SignOutState.log_out_everywhere,
            ),
            max_width="min(20em, calc(100vw - 1em))",
        ),
    )

"""/admin: the administration page. Its on_load sends anybody but an administrator away.

Sections are tabs; on a phone the tab bar scrolls sideways on its own and each section is
one column, so the page never does.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.sequence import StringVar

from chat_app import routes
from chat_app.components.admin_dialogs import confirm_dialog, reset_link_dialog
from chat_app.components.admin_sections import admin_audit, admin_numbers, admin_settings
from chat_app.components.admin_users import admin_users
from chat_app.components.chat_href import chat_href
from chat_app.components.invite_manager import invite_manager
from chat_app.components.language_gate import once_language_known
from chat_app.components.language_switch import language_switch
from chat_app.states.admin_access import AdminAccessState
from chat_app.states.admin_overview import AdminOverviewState
from chat_app.states.auth import AuthState
from chat_app.states.ui import tr

_SECTIONS = (
    ("users", "admin_tab_users"),
    ("invites", "admin_tab_invites"),
    ("settings", "admin_tab_settings"),
    ("numbers", "admin_tab_numbers"),
    ("audit", "admin_tab_audit"),
)


def admin_title() -> StringVar:
    """The document title, in the tab's language."""
    return tr("admin_title")


def _section(value: str) -> rx.Component:
    content = {
        "users": admin_users,
        "invites": invite_manager,
        "settings": admin_settings,
        "numbers": admin_numbers,
        "audit": admin_audit,
    }[value]()
    return rx.tabs.content(content, value=value, padding_top="1em", width="100%")


def _header() -> rx.Component:
    return rx.hstack(
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=16), tr("admin_back"), align="center"),
                href=chat_href(),
                id="admin-back",
                class_name="back-link",
            ),
            # The page is reached from the chat's menu, but a bookmark or a shared link
            # opens it directly: its own language switch, as the pre-chat cards have. On the
            # left: a desktop's toasts go to the top right here (styles.css), over the title.
            language_switch(),
            align="center",
            spacing="4",
        ),
        rx.heading(tr("admin_title"), size="5"),
        justify="between",
        align="center",
        # A phone's width takes the title under the link.
        wrap="wrap",
        width="100%",
    )


def _admin_body() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.tabs.root(
            # Wrapped, not scrolled: on a phone the last tab ("Audit log") sat past the
            # screen's edge with nothing to say the strip scrolls.
            rx.tabs.list(
                *[
                    rx.tabs.trigger(tr(key), value=value, id=f"admin-tab-{value}")
                    for value, key in _SECTIONS
                ],
                flex_wrap="wrap",
                width="100%",
            ),
            *[_section(value) for value, _ in _SECTIONS],
            value=AdminOverviewState.section,
            on_change=AdminOverviewState.open_section,
            width="100%",
        ),
        confirm_dialog(),
        reset_link_dialog(),
        spacing="3",
        padding="1em",
        width="100%",
        max_width="60em",
        margin_x="auto",
        min_width="0",
    )


def admin_page() -> rx.Component:
    """The page body of /admin: nothing but a spinner until the server said "administrator"."""
    return once_language_known(
        rx.cond(
            AuthState.session_token == "",
            # Logged out in another tab of this browser (the token is synced): nothing stays.
            rx.center(
                rx.link(tr("logged_out_link"), href=routes.AUTH, id="logged-out-link"),
                height="100dvh",
            ),
            rx.cond(
                AdminAccessState.is_admin,
                _admin_body(),
                rx.center(rx.spinner(size="3"), aria_label=tr("loading"), height="100dvh"),
            ),
        )
    )

"""The admin page's dialogs: the confirmation of a destructive action, and a password link."""

from __future__ import annotations

import reflex as rx

from chat_app.components.confirm_row import confirm_row
from chat_app.components.focus_return import focus_on_close
from chat_app.states.admin_user_actions import AdminUserActionsState
from chat_app.states.safe_text import copy_to_clipboard
from chat_app.states.ui import UiState, tr

# Where the focus goes when a dialog closes: the rows' ⋯ buttons have ids made from vars,
# which Reflex makes no refs for, so the search above them (components/admin_users.py).
SEARCH_ID = "admin-user-search"


def _question(key: str) -> rx.Component:
    # The username is a state var, filled in the browser: no user text is formatted here.
    template = tr(key, name="\x00")
    parts = template.split("\x00")
    return rx.text(parts[0], AdminUserActionsState.pending_username, parts[1])


def confirm_dialog() -> rx.Component:
    """Asks before a disable, a role removal or a deletion."""
    action = AdminUserActionsState.pending_action
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("admin_confirm")),
            rx.alert_dialog.description(
                rx.match(
                    action,
                    ("disable", _question("admin_confirm_disable")),
                    ("demote", _question("admin_confirm_demote")),
                    ("delete", _question("admin_confirm_delete")),
                    rx.fragment(),
                )
            ),
            rx.box(
                confirm_row(
                    AdminUserActionsState.cancel,
                    tr("admin_confirm"),
                    AdminUserActionsState.confirm,
                    "admin-confirm",
                    color_scheme="red",
                ),
                margin_top="1em",
            ),
            max_width="min(28em, calc(100vw - 2em))",
            on_close_auto_focus=focus_on_close(SEARCH_ID, text_field=True),
        ),
        open=action != "",
        # Escape is Cancel, as in every dialog that asks.
        on_open_change=lambda is_open: rx.cond(is_open, rx.noop(), AdminUserActionsState.cancel()),
    )


def reset_link_dialog() -> rx.Component:
    """The one-time password link, with Copy, until the administrator closes it."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                tr("admin_reset_title", name="\x00").split("\x00")[0],
                AdminUserActionsState.reset_username,
                tr("admin_reset_title", name="\x00").split("\x00")[1],
            ),
            rx.dialog.description(tr("admin_reset_help"), size="2"),
            rx.hstack(
                rx.input(
                    value=AdminUserActionsState.reset_link,
                    read_only=True,
                    id="admin-reset-link",
                    flex="1",
                    min_width="0",
                ),
                # Where the browser may copy; elsewhere the link is selected by hand.
                rx.cond(
                    UiState.can_copy,
                    rx.button(
                        tr("admin_copy"),
                        id="admin-copy-link",
                        on_click=copy_to_clipboard(
                            AdminUserActionsState.reset_link,
                            then=UiState.say_copied("reset"),
                        ),
                    ),
                ),
                width="100%",
                margin_top="1em",
            ),
            rx.hstack(
                rx.button(
                    tr("admin_close"),
                    variant="soft",
                    color_scheme="gray",
                    on_click=AdminUserActionsState.close_reset_link,
                ),
                justify="end",
                margin_top="1em",
            ),
            max_width="min(32em, calc(100vw - 2em))",
            on_close_auto_focus=focus_on_close(SEARCH_ID, text_field=True),
        ),
        open=AdminUserActionsState.reset_link != "",
        # Escape or a click beside it closes it, as the Close button does.
        on_open_change=lambda is_open: rx.cond(
            is_open, rx.noop(), AdminUserActionsState.close_reset_link()
        ),
    )

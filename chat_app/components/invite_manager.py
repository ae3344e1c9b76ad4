"""Managing invite links: create one (shown once, with Copy), list them, revoke.

`invite_manager()` is the server's, for the admin page; `group_invite_entry()` is the group
settings panel's "Invite link" entry (owner and admins), which shows the same manager for
the group the panel shows.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.states.conversation import ConversationState
from chat_app.states.invite_manager import InviteManagerState
from chat_app.states.safe_text import copy_to_clipboard
from chat_app.states.ui import UiState, moment_locale, tr

EXPIRIES = ("1h", "1d", "7d", "30d")
_STATES = ("active", "expired", "used_up", "revoked")


def _state_badge(state: Any) -> Any:
    return rx.match(
        state,
        *[
            (
                name,
                rx.badge(
                    tr(f"invite_state_{name}"),
                    color_scheme="green" if name == "active" else "gray",
                ),
            )
            for name in _STATES
        ],
        rx.fragment(),
    )


_ONE_LINE: dict[str, Any] = {"white_space": "nowrap", "class_name": "invite-row-figure"}


def _row(invite: Any) -> rx.Component:
    # Each figure on one line: with a flex basis of 0 the expiry never went to the next line
    # but shrank, its date in four lines on a phone (Chinese). Sized by their text, the
    # figures wrap whole to the next line instead.
    return rx.hstack(
        _state_badge(invite.state),
        # Each figure says what it is ("0 / 2  2026-12-14 04:01  teacher" did not).
        rx.text(
            tr("invite_row_used"),
            rx.text.span(
                invite.used_count.to_string(),
                " / ",
                invite.max_uses.to_string(),
                class_name="invite-uses",
            ),
            size="2",
            **_ONE_LINE,
        ),
        rx.text(
            tr("invite_row_expires"),
            rx.moment(invite.expires_at, format="YYYY-MM-DD HH:mm", locale=moment_locale()),
            size="1",
            color_scheme="gray",
            **_ONE_LINE,
        ),
        rx.text(
            tr("invite_row_by"),
            invite.creator_name,
            size="1",
            color_scheme="gray",
            max_width="100%",
            overflow="hidden",
            text_overflow="ellipsis",
            **_ONE_LINE,
        ),
        rx.cond(
            invite.state == "active",
            rx.button(
                tr("invite_revoke"),
                size="1",
                variant="soft",
                color_scheme="red",
                class_name="invite-revoke",
                on_click=InviteManagerState.revoke(invite.id),
                margin_left="auto",
            ),
        ),
        class_name="invite-row",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(tr("invite_expiry_label"), size="1"),
            rx.select.root(
                rx.select.trigger(id="invite-expiry", aria_label=tr("invite_expiry_label")),
                rx.select.content(
                    *[rx.select.item(tr(f"invite_expiry_{key}"), value=key) for key in EXPIRIES]
                ),
                value=InviteManagerState.expiry,
                on_change=InviteManagerState.set_expiry,
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text(tr("invite_uses_label"), size="1"),
            rx.input(
                id="invite-uses",
                value=InviteManagerState.uses,
                on_change=InviteManagerState.set_uses,
                aria_label=tr("invite_uses_label"),
                type="number",
                min=1,
                max=1000,
                width="6em",
            ),
            spacing="1",
        ),
        rx.button(
            tr("invite_create"),
            id="invite-create",
            # A double click made two links: the second click within a second is dropped.
            on_click=InviteManagerState.create.throttle(1000),  # type: ignore[attr-defined]
        ),
        align="end",
        wrap="wrap",
        width="100%",
    )


def _new_link() -> rx.Component:
    return rx.cond(
        InviteManagerState.new_link != "",
        rx.callout.root(
            rx.vstack(
                rx.text(tr("invite_shown_once"), size="2"),
                rx.hstack(
                    rx.code(
                        InviteManagerState.new_link,
                        id="invite-new-link",
                        overflow_wrap="anywhere",
                        flex="1",
                    ),
                    # Where the browser may copy; elsewhere the link is selected by hand.
                    rx.cond(
                        UiState.can_copy,
                        rx.button(
                            rx.icon("copy", size=14),
                            tr("invite_copy"),
                            id="invite-copy",
                            size="1",
                            on_click=copy_to_clipboard(
                                InviteManagerState.new_link,
                                then=UiState.say_copied("invite"),
                            ),
                        ),
                    ),
                    align="center",
                    width="100%",
                ),
                width="100%",
            ),
            color_scheme="green",
            width="100%",
        ),
    )


def _manager() -> rx.Component:
    return rx.vstack(
        _form(),
        _new_link(),
        rx.cond(
            InviteManagerState.error != "",
            rx.callout(InviteManagerState.error, id="invite-error", color_scheme="red", size="1"),
        ),
        rx.cond(
            InviteManagerState.total == 0,
            rx.text(tr("invite_none"), size="2", color_scheme="gray"),
        ),
        rx.vstack(rx.foreach(InviteManagerState.invites, _row), id="invite-list", width="100%"),
        rx.hstack(
            rx.cond(
                InviteManagerState.page > 0,
                rx.button(
                    tr("invite_newer"), size="1", variant="soft", on_click=InviteManagerState.newer
                ),
            ),
            rx.cond(
                InviteManagerState.has_more,
                rx.button(
                    tr("invite_more"), size="1", variant="soft", on_click=InviteManagerState.more
                ),
            ),
            justify="end",
            width="100%",
        ),
        id="invite-manager",
        width="100%",
        spacing="3",
    )


def invite_manager() -> rx.Component:
    """The server's invite links (admin page): loaded when it appears."""
    return rx.vstack(
        rx.heading(tr("invite_links_title"), size="4"),
        rx.cond(
            InviteManagerState.manager_open & (InviteManagerState.shown_group == 0),
            _manager(),
            rx.cond(
                InviteManagerState.error != "",
                rx.callout(InviteManagerState.error, color_scheme="red", size="1"),
            ),
        ),
        on_mount=InviteManagerState.open_for_server,
        width="100%",
    )


def group_invite_entry() -> rx.Component:
    """The group panel's "Invite link" entry and, once opened, the group's invites."""
    showing = InviteManagerState.manager_open & (
        InviteManagerState.shown_group == ConversationState.conversation_id
    )
    return rx.vstack(
        rx.button(
            rx.icon("link", size=16),
            tr("invite_link_entry"),
            id="group-invite-link",
            variant="soft",
            on_click=InviteManagerState.toggle_for_group,
        ),
        rx.cond(showing, _manager()),
        # The panel closed (or the viewer is no manager any more): the link shown goes.
        on_unmount=InviteManagerState.close_manager,
        width="100%",
    )

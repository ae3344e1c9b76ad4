"""The admin page's smaller sections: settings, the instance's numbers, the audit log."""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.invite_manager import EXPIRIES
from chat_app.components.pager import pager
from chat_app.states.admin_overview import AdminOverviewState
from chat_app.states.ui import moment_locale, tr

_MODES = ("open", "invite", "closed")
_NUMBERS = ("users", "messages", "files", "storage", "online")
# The actions the services audit; another code (a later feature's) is shown as it is.
_AUDITED = (
    "enable",
    "disable",
    "delete",
    "promote",
    "demote",
    "reset_link",
    "set_password",
    "registration_mode",
    "group_invites_register",
    "create_admin",
    "first_admin",
    "setup_claim",
    "invite_create",
    "invite_revoke",
)


def _mode_choice(mode: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=mode, id=f"admin-mode-{mode}"),
            rx.text(tr(f"admin_mode_{mode}")),
            align="center",
        ),
    )


def admin_settings() -> rx.Component:
    """Who may register, and whether group invites may create accounts."""
    return rx.vstack(
        rx.heading(tr("admin_registration"), size="4"),
        rx.text(tr("admin_registration_help"), color_scheme="gray", size="2"),
        rx.radio_group.root(
            rx.vstack(*[_mode_choice(mode) for mode in _MODES], spacing="2"),
            value=AdminOverviewState.registration_mode,
            on_change=AdminOverviewState.set_registration_mode,
            id="admin-registration-mode",
        ),
        rx.separator(),
        rx.el.label(
            rx.hstack(
                rx.switch(
                    checked=AdminOverviewState.group_invites_register,
                    on_change=AdminOverviewState.set_group_invites_register,
                    disabled=AdminOverviewState.registration_mode == "closed",
                    id="admin-group-invites",
                ),
                rx.text(tr("admin_group_invites")),
                align="center",
            ),
        ),
        rx.text(tr("admin_group_invites_help"), color_scheme="gray", size="2"),
        spacing="3",
        width="100%",
    )


def _number(key: str) -> rx.Component:
    return rx.card(
        rx.text(tr(f"admin_numbers_{key}"), size="2", color_scheme="gray"),
        rx.text(
            AdminOverviewState.numbers.get(key, "-"),
            size="6",
            weight="bold",
            id=f"admin-number-{key}",
        ),
        min_width="9em",
        flex="1",
    )


def admin_numbers() -> rx.Component:
    """Users, messages, files, storage and users online now."""
    return rx.vstack(
        rx.flex(*[_number(key) for key in _NUMBERS], gap="3", wrap="wrap", width="100%"),
        rx.button(tr("admin_refresh"), variant="soft", on_click=AdminOverviewState.refresh_numbers),
        spacing="3",
        width="100%",
    )


# A recorded setting or an invite's expiry, in the reader's words (stored as codes).
_DETAIL_WORDS = {
    "open": "admin_audit_mode_open",
    "invite": "admin_audit_mode_invite",
    "closed": "admin_audit_mode_closed",
    "on": "admin_audit_on",
    "off": "admin_audit_off",
    **{expiry: f"invite_expiry_{expiry}" for expiry in EXPIRIES},
}


def _audit_line(row: Any) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.moment(row.created_at, format="YYYY-MM-DD HH:mm", locale=moment_locale()),
            rx.text(row.actor_name, weight="medium"),
            rx.text(
                rx.match(
                    row.action,
                    *[(code, tr(f"admin_audit_{code}")) for code in _AUDITED],
                    row.action,
                ),
                custom_attrs={"data-action": row.action},
            ),
            rx.cond(row.target_name != "", rx.text(row.target_name)),
            rx.cond(
                row.detail != "",
                rx.text(
                    rx.match(
                        row.detail,
                        *[(value, tr(key)) for value, key in _DETAIL_WORDS.items()],
                        row.detail,
                    ),
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                row.uses != "",
                rx.text(tr("admin_audit_uses"), row.uses, color_scheme="gray"),
            ),
            rx.cond(
                row.expires_at != "",
                rx.text(
                    tr("invite_row_expires"),
                    rx.moment(row.expires_at, format="YYYY-MM-DD HH:mm", locale=moment_locale()),
                    color_scheme="gray",
                ),
            ),
            column_gap="0.75em",
            wrap="wrap",
            overflow_wrap="anywhere",
        ),
        key=row.id,
        padding_y="0.4em",
        border_bottom="1px solid var(--gray-a4)",
        width="100%",
    )


def admin_audit() -> rx.Component:
    """One page of the audit log, newest first."""
    return rx.vstack(
        rx.cond(
            AdminOverviewState.audit_total > 0,
            rx.box(rx.foreach(AdminOverviewState.audit_rows, _audit_line), width="100%"),
            rx.text(tr("admin_audit_empty"), color_scheme="gray"),
        ),
        rx.cond(
            AdminOverviewState.audit_page_count > 1,
            pager(
                AdminOverviewState.audit_page_label,
                AdminOverviewState.audit_page == 0,
                AdminOverviewState.audit_page + 1 >= AdminOverviewState.audit_page_count,
                AdminOverviewState.previous_audit_page,
                AdminOverviewState.next_audit_page,
                "admin-audit",
            ),
        ),
        spacing="3",
        width="100%",
    )

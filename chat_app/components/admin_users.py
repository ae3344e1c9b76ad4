"""The users section of /admin: a search box, one page of users as cards, and the pager.

A card wraps its details instead of growing sideways, so the list fits a phone's width.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app.components.icon_button import icon_button
from chat_app.components.name_text import shown_name
from chat_app.components.pager import pager
from chat_app.states.admin_user_actions import AdminUserActionsState
from chat_app.states.admin_users import QUERY_KEPT, AdminUsersState
from chat_app.states.ui import moment_locale, tr


def _action(label: str, action: str, row: Any, **props: Any) -> rx.Component:
    return rx.dropdown_menu.item(
        tr(label),
        on_select=AdminUserActionsState.ask(action, row.id),
        custom_attrs={"data-action": action},
        **props,
    )


def _actions(row: Any) -> rx.Component:
    """The row's menu: what an administrator may do to this account."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            icon_button(
                "ellipsis",
                icon_size=16,
                variant="ghost",
                aria_label=tr("admin_actions"),
                class_name="admin-user-actions",
            )
        ),
        rx.dropdown_menu.content(
            rx.cond(
                row.status == "disabled",
                _action("admin_enable", "enable", row),
                _action("admin_disable", "disable", row),
            ),
            rx.cond(
                row.is_admin,
                _action("admin_demote", "demote", row),
                _action("admin_promote", "promote", row),
            ),
            # A disabled account's link would not work until it is enabled again.
            rx.cond(row.status == "active", _action("admin_reset", "reset", row)),
            rx.dropdown_menu.separator(),
            _action("admin_delete", "delete", row, color_scheme="red"),
        ),
    )


def _when(label: str, moment: Any) -> rx.Component:
    return rx.text(
        # The label holds its colon (Chinese writes a full-width one).
        tr(label),
        rx.moment(moment, format="YYYY-MM-DD HH:mm", locale=moment_locale()),
        size="1",
        color_scheme="gray",
    )


def _badges(row: Any) -> rx.Component:
    return rx.hstack(
        rx.cond(row.is_admin, rx.badge(tr("admin_role_admin"), color_scheme="blue")),
        rx.match(
            row.status,
            ("disabled", rx.badge(tr("admin_status_disabled"), color_scheme="orange")),
            ("deleted", rx.badge(tr("admin_status_deleted"), color_scheme="red")),
            rx.fragment(),
        ),
        rx.cond(row.online, rx.badge(tr("admin_online"), color_scheme="green")),
        spacing="1",
        wrap="wrap",
    )


_WHOLE_NAME: dict[str, Any] = {"overflow_wrap": "anywhere", "class_name": "admin-user-name"}


def _user_card(row: Any) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                # Whole, wrapped anywhere: the administrator picks people by these, and no
                # other screen of theirs shows the names (a cut one is whole only on hover).
                rx.text(shown_name(row.nickname), weight="medium", **_WHOLE_NAME),
                rx.text("@", row.username, size="2", color_scheme="gray", **_WHOLE_NAME),
                _badges(row),
                rx.flex(
                    _when("admin_created", row.created_at),
                    rx.cond(
                        row.last_seen_at != "",
                        _when("admin_last_seen", row.last_seen_at),
                        rx.text(
                            tr("admin_last_seen"),
                            tr("admin_never_seen"),
                            size="1",
                            color_scheme="gray",
                        ),
                    ),
                    rx.text(tr("admin_storage"), row.storage, size="1", color_scheme="gray"),
                    column_gap="1em",
                    wrap="wrap",
                ),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            # A deleted account has nothing left to act on (its name stays reserved).
            rx.cond(row.status != "deleted", _actions(row)),
            align="start",
            width="100%",
        ),
        key=row.id,
        class_name="admin-user-row",
        custom_attrs={"data-username": row.username},
        width="100%",
    )


def admin_users() -> rx.Component:
    """The users section."""
    return rx.vstack(
        rx.input(
            id="admin-user-search",
            placeholder=tr("admin_search"),
            max_length=QUERY_KEPT,
            on_change=AdminUsersState.search.debounce(250),  # type: ignore[attr-defined]
            width="100%",
        ),
        rx.cond(
            AdminUsersState.total > 0,
            rx.vstack(
                rx.foreach(AdminUsersState.rows, _user_card),
                spacing="2",
                width="100%",
            ),
            rx.text(tr("admin_no_users"), color_scheme="gray"),
        ),
        rx.cond(
            AdminUsersState.page_count > 1,
            pager(
                AdminUsersState.page_label,
                AdminUsersState.page == 0,
                AdminUsersState.page + 1 >= AdminUsersState.page_count,
                AdminUsersState.previous_page,
                AdminUsersState.next_page,
                "admin-users",
            ),
        ),
        spacing="3",
        width="100%",
        min_width="0",
    )

"""One member in the group panel: picture (with presence for friends), names, role, actions.

The actions menu shows what the viewer's role allows (the owner acts on everyone else, an
admin on plain members); the services check every action again.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var
from reflex_base.vars.object import ObjectVar

from chat_app.components.avatar import avatar
from chat_app.components.icon_button import icon_button
from chat_app.components.name_text import name_text
from chat_app.components.presence_dot import presence_dot
from chat_app.states.conversation import ConversationState
from chat_app.states.group_actions import GroupActionsState
from chat_app.states.group_panel import GroupPanelState
from chat_app.states.presence import PresenceState
from chat_app.states.ui import tr

_OWNER = GroupPanelState.my_role == "owner"


def _role_label(role: Any) -> rx.Component:
    return rx.badge(
        rx.match(
            role,
            ("owner", tr("group_role_owner")),
            ("admin", tr("group_role_admin")),
            tr("group_role_member"),
        ),
        class_name="member-role",
        variant=rx.cond(role == "member", "outline", "soft"),
        flex_shrink="0",
    )


def _member_menu(member: Any) -> rx.Component:
    # The owner acts on everyone else, an admin on plain members only (services check it).
    allowed = (member.user_id != ConversationState.my_id) & (
        _OWNER | ((GroupPanelState.my_role == "admin") & (member.role == "member"))
    )
    return rx.cond(
        allowed,
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                icon_button(
                    "ellipsis",
                    variant="ghost",
                    size="1",
                    class_name="member-actions",
                    aria_label=tr("group_member_actions"),
                ),
            ),
            rx.dropdown_menu.content(
                rx.cond(
                    _OWNER & (member.role == "member"),
                    rx.dropdown_menu.item(
                        tr("group_make_admin"),
                        class_name="member-make-admin",
                        on_select=GroupActionsState.set_role(member.user_id, "admin"),
                    ),
                ),
                rx.cond(
                    _OWNER & (member.role == "admin"),
                    rx.dropdown_menu.item(
                        tr("group_unmake_admin"),
                        class_name="member-unmake-admin",
                        on_select=GroupActionsState.set_role(member.user_id, "member"),
                    ),
                ),
                rx.cond(
                    _OWNER,
                    rx.dropdown_menu.item(
                        tr("group_hand_over"),
                        class_name="member-hand-over",
                        on_select=GroupActionsState.hand_over(member.user_id),
                    ),
                ),
                rx.dropdown_menu.item(
                    tr("group_remove_member"),
                    class_name="member-remove",
                    color="red",
                    on_select=GroupActionsState.remove_member(member.user_id),
                ),
            ),
        ),
    )


def member_row(member: Any) -> rx.Component:
    """A member of the page shown (a MemberView var), keyed by user id."""
    # Presence only for the viewer's friends: PresenceState knows nobody else's.
    known = Var.create(PresenceState.online).to(ObjectVar).contains(member.user_id)
    return rx.hstack(
        rx.box(
            avatar(member.nickname, size="2", src=member.avatar_url),
            rx.cond(
                known,
                rx.box(
                    presence_dot(PresenceState.online.get(member.user_id, False)),
                    position="absolute",
                    right="0",
                    bottom="0",
                ),
            ),
            position="relative",
            flex_shrink="0",
        ),
        rx.vstack(
            name_text(member.nickname, size="2", weight="medium"),
            name_text("@" + member.username, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        _role_label(member.role),
        # A slot as wide as the ⋯ button, also on rows without one: the role labels line up
        # (a member's sat left of an owner's, pushed by its button).
        rx.box(_member_menu(member), width="var(--space-5)", flex_shrink="0", display="flex"),
        key=member.user_id,
        class_name="group-member",
        data_username=member.username,
        align="center",
        width="100%",
        padding_y="0.25em",
    )

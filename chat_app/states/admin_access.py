"""Who may use the administration page, asked of the server at every load and every event.

`AdminAccessState.is_admin` only decides whether the user menu shows its "Administration"
item; it is set from the server-side session on each page load, never by the client.
Every admin handler is wrapped in `admin_only`: it re-derives the viewer from the session
(`viewer.signed_in`: none → /auth) and asks the database whether they are an active
administrator (no → the tab forgets the admin data and goes to the chat). The services
check the role again inside their own transaction, so a role lost meanwhile still refuses.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.realtime.push import notify_users
from chat_app.services import admin_rights
from chat_app.states.auth import on_sign_out
from chat_app.states.safe_text import toast_error
from chat_app.states.service_call import call_service
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in, viewer_id_of

P = ParamSpec("P")
S = TypeVar("S", bound=rx.State)


async def is_admin(user_id: int | None) -> bool:
    """Whether `user_id` is an active administrator now (asked of the database).

    Args:
        user_id: The signed-in user's id, or None.

    Returns:
        False for None, a plain user, a disabled or a deleted account.
    """
    if user_id is None:
        return False
    return await call_service(admin_rights.is_admin, user_id=user_id)


class AdminAccessState(rx.State):
    """Whether the tab's user is an administrator (shows the menu item; decides nothing)."""

    is_admin: bool = False

    async def _load(self) -> bool:
        """Ask again for the tab's signed-in user (page loads); returns the answer."""
        answer = await is_admin(await viewer_id_of(self))
        if self.is_admin != answer:
            self.is_admin = answer
        return answer


# Set by admin_page.py: how a tab forgets every admin state it holds (the states live there).
_forget_admin_data: list[Callable[[rx.State], Awaitable[None]]] = []


def on_access_lost(forget: Callable[[rx.State], Awaitable[None]]) -> None:
    """Register how a tab that is no longer an administrator's forgets the admin data.

    Args:
        forget: Called with any state of the tab.
    """
    _forget_admin_data.append(forget)


async def forget_admin_data(state: rx.State) -> None:
    """Blank every admin state of the tab (its user is not, or no longer, an administrator).

    Args:
        state: Any state of the tab.
    """
    access = await state.get_state(AdminAccessState)
    if access.is_admin:
        access.is_admin = False
    for forget in _forget_admin_data:
        await forget(state)


# Signed out, the tab forgets the admin pages' lists (users, the audit log) and the links
# made there, as a tab that loses the role does.
on_sign_out(forget_admin_data)


async def refuse(state: rx.State) -> list[Any]:
    """A non-administrator's tab: blank every admin state, say why, and go to the chat.

    Args:
        state: Any state of the tab.

    Returns:
        The toast and the redirect.
    """
    await forget_admin_data(state)
    message = text("admin_only", await language_of(state))
    return [toast_error(message), rx.redirect(routes.CHAT, replace=True)]


async def role_changed(user_id: int, admin: bool, except_tab: str = "") -> None:
    """Show a new role in the user's open tabs: the menu item, or an /admin tab left.

    Args:
        user_id: The user made, or no longer, an administrator.
        admin: Their role now.
        except_tab: The acting tab (it shows the change itself).
    """
    show = functools.partial(_show_role, admin)
    await notify_users([user_id], AdminAccessState, show, except_tab=except_tab)


async def _show_role(admin: bool, state: AdminAccessState) -> list[Any]:
    # A partial of a module-level function: it may travel to the worker holding the tab.
    if admin:
        state.is_admin = True
        return []
    if state.router.page.path == routes.ADMIN:
        return await refuse(state)
    await forget_admin_data(state)
    return []


def admin_only(
    handler: Callable[Concatenate[S, int, P], Awaitable[Any]],
) -> Callable[Concatenate[S, P], Awaitable[Any]]:
    """Decorate an admin handler (under `@rx.event`): it runs for an active administrator only.

    Args:
        handler: `async def handler(self, viewer_id: int, ...)`.

    Returns:
        The handler as Reflex registers it: without `viewer_id` in its signature; a tab
        without a session goes to /auth, a non-administrator's to the chat, and the handler
        does not run.
    """

    @functools.wraps(handler)
    async def checked(self: S, viewer_id: int, *args: P.args, **kwargs: P.kwargs) -> Any:
        if not await is_admin(viewer_id):
            return await refuse(self)
        return await handler(self, viewer_id, *args, **kwargs)

    return signed_in(checked)

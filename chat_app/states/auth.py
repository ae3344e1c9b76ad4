"""Login state of one tab: the session token (in localStorage) and who it belongs to.

Every handler is a remote endpoint: it reads the token, re-resolves it on the server and
only then acts. The user id lives in a backend-only var.
"""

from __future__ import annotations

import contextlib
import math

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.realtime.push import push_to_tabs
from chat_app.realtime.registry import tab_registry
from chat_app.services import auth, sessions
from chat_app.services.errors import (
    DomainError,
    InvalidCredentials,
    NotAuthenticated,
    TooManyAttempts,
    ValidationFailed,
)
from chat_app.services.sessions import SessionKey
from chat_app.services.views import LoginResult, UserView
from chat_app.states import links
from chat_app.states.safe_text import toast_success
from chat_app.states.service_call import call_service, call_slow_service, form_text
from chat_app.states.ui import language_of


async def _clear_ended_session(state: AuthState) -> None:
    """Applied to the other tabs of a session that was ended elsewhere."""
    await state._forget_user(notice=text("not_authenticated", await language_of(state)))


class AuthState(rx.State):
    """Who is logged in on this tab, and the account forms' errors."""

    # Synced across tabs of the browser: logging out in one tab logs out the others live.
    session_token: str = rx.LocalStorage("", name="chat_session", sync=True)
    username: str = ""
    nickname: str = ""
    avatar_url: str = ""
    login_error: str = ""
    register_errors: dict[str, str] = {}
    password_errors: dict[str, str] = {}
    password_dialog_open: bool = False
    notice: str = ""
    busy: bool = False
    _user_id: int | None = None
    # "user id:session hash" this tab is registered as (a Redis round trip is saved on
    # every event; page loads register again regardless, after a reconnect or a restart).
    _registered_as: str = ""

    # ----- private helpers (not callable from the client) -----

    async def _forget_user(self, notice: str | None = "") -> None:
        """Log this tab out locally; `notice=None` keeps the message already shown."""
        self._user_id = None
        if self.username:
            self.username = ""
        if self.nickname:
            self.nickname = ""
        if self.avatar_url:
            self.avatar_url = ""
        if self.session_token:
            self.session_token = ""
        self.password_dialog_open = False
        if notice is not None:
            self.notice = notice
        if self._registered_as:
            self._registered_as = ""
            await tab_registry.unregister(self.router.session.client_token)

    async def _link_key(self) -> SessionKey | None:
        """The login session this tab's download links are bound to (states/links.py)."""
        token_hash = sessions.hash_token(self.session_token) if self.session_token else ""
        key = await links.session_key(token_hash) if token_hash else None
        return key if key is not None and key.user_id == self._user_id else None

    async def _remember_user(self, user: UserView, register: bool = False) -> None:
        self._user_id = user.id
        # Assigning marks a var dirty and re-sends it: only touch what changed.
        if self.username != user.username:
            self.username = user.username
        if self.nickname != user.nickname:
            self.nickname = user.nickname
        key = await self._link_key() if user.avatar_file_id else None
        avatar = links.file_link(key, user.avatar_file_id, "thumb") if key else ""
        # Only a different picture changes the link (a fresh signature alone is no change).
        if avatar.split("?")[0] != self.avatar_url.split("?")[0]:
            self.avatar_url = avatar
        if self.session_token:
            session_hash = sessions.hash_token(self.session_token)
            registered_as = f"{user.id}:{session_hash}"
            if register or registered_as != self._registered_as:
                tab = self.router.session.client_token
                await tab_registry.register(user.id, tab, session_hash)
                self._registered_as = registered_as

    async def _start_session(self, result: LoginResult) -> None:
        self.session_token = result.token
        self.login_error = ""
        self.register_errors = {}
        self.notice = ""
        await self._remember_user(result.user, register=True)

    async def _current_user(self, register: bool = False) -> UserView | None:
        """Re-resolve this tab's token on the server; forget the user if it is no longer valid.

        Args:
            register: Register the tab for pushes even if it was before (page loads).
        """
        user = await call_service(sessions.resolve_session, token=self.session_token)
        if user is None:
            # A tab with no token was never logged in here: keep any notice on screen.
            notice = text("not_authenticated", await language_of(self))
            await self._forget_user(notice=notice if self.session_token else None)
        else:
            await self._remember_user(user, register)
        return user

    async def _end_other_tabs(self, user_id: int, keep_session_hash: str | None) -> None:
        tabs = [
            entry.tab_token
            for entry in await tab_registry.tabs_of(user_id)
            if entry.session_hash != keep_session_hash
            and entry.tab_token != self.router.session.client_token
        ]
        for tab in tabs:
            await tab_registry.unregister(tab)
        push_to_tabs(tabs, AuthState, _clear_ended_session, [rx.redirect(routes.AUTH)])

    # ----- page loads -----

    @rx.event
    async def require_login(self):
        """On load of a private page: resolve the session or send the visitor to /auth."""
        if await self._current_user(register=True) is None:
            return rx.redirect(routes.AUTH)

    @rx.event
    async def skip_auth_if_logged_in(self):
        """On load of /auth: a tab that is already logged in goes straight to the chat."""
        if self.session_token and await self._current_user(register=True) is not None:
            return rx.redirect(routes.CHAT)

    # ----- forms -----

    @rx.event
    async def login(self, form_data: dict):
        """Log in with the submitted username and password."""
        self.busy = True
        self.login_error = ""
        yield
        try:
            result = await call_slow_service(
                auth.login,
                username=form_text(form_data, "username"),
                password=form_text(form_data, "password"),
                client_address=self.router.session.client_ip,
                user_agent=self.router.headers.user_agent,
            )
        except TooManyAttempts as error:
            self.login_error = text(
                "too_many_attempts",
                await language_of(self),
                minutes=math.ceil(error.retry_after_seconds / 60),
            )
        except InvalidCredentials as error:
            self.login_error = text(error.code, await language_of(self))
        else:
            await self._start_session(result)
            yield rx.redirect(routes.CHAT)
        finally:
            self.busy = False

    @rx.event
    async def register(self, form_data: dict):
        """Create an account from the submitted form and log this tab in."""
        self.busy = True
        self.register_errors = {}
        yield
        try:
            result = await call_slow_service(
                auth.register,
                username=form_text(form_data, "username"),
                nickname=form_text(form_data, "nickname"),
                password=form_text(form_data, "password"),
                password_confirm=form_text(form_data, "password_confirm"),
                user_agent=self.router.headers.user_agent,
            )
        except ValidationFailed as error:
            language = await language_of(self)
            self.register_errors = {
                field: text(code, language) for field, code in error.field_errors.items()
            }
        else:
            await self._start_session(result)
            yield rx.redirect(routes.CHAT)
        finally:
            self.busy = False

    @rx.event
    def set_password_dialog_open(self, is_open: bool):
        """Open or close the change-password dialog."""
        self.password_dialog_open = is_open is True
        self.password_errors = {}

    @rx.event
    async def change_password(self, form_data: dict):
        """Change the password; every other device of the user is logged out."""
        user = await self._current_user()
        if user is None:
            return rx.redirect(routes.AUTH)
        try:
            await call_slow_service(
                auth.change_password,
                token=self.session_token,
                current_password=form_text(form_data, "current_password"),
                new_password=form_text(form_data, "new_password"),
                new_password_confirm=form_text(form_data, "new_password_confirm"),
            )
        except ValidationFailed as error:
            language = await language_of(self)
            self.password_errors = {
                field: text(code, language) for field, code in error.field_errors.items()
            }
            return None
        except NotAuthenticated:
            await self._forget_user(notice=text("not_authenticated", await language_of(self)))
            return rx.redirect(routes.AUTH)
        self.password_errors = {}
        self.password_dialog_open = False
        keep = sessions.hash_token(self.session_token)
        await self._end_other_tabs(user.id, keep_session_hash=keep)
        return toast_success(text("password_changed", await language_of(self)))

    # ----- logout -----

    @rx.event
    async def logout(self):
        """End this device's session and go to /auth."""
        if self.session_token:
            with contextlib.suppress(DomainError):
                await call_service(auth.logout, token=self.session_token)
        await self._forget_user()
        return rx.redirect(routes.AUTH)

    @rx.event
    async def logout_everywhere(self):
        """End every session of this user, on every device, and go to /auth."""
        user = await self._current_user()
        if user is None:
            return rx.redirect(routes.AUTH)
        with contextlib.suppress(NotAuthenticated):
            await call_service(auth.logout_everywhere, token=self.session_token)
        await self._end_other_tabs(user.id, keep_session_hash=None)
        await self._forget_user(notice=text("logged_out_everywhere", await language_of(self)))
        return rx.redirect(routes.AUTH)

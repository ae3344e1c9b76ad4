"""Login state of one tab: the session token (in localStorage) and who it belongs to.

Every handler is a remote endpoint: it reads the token, re-resolves it on the server and
only then acts (the user id lives in a backend-only var).

The raw token never rests on the server: the browser keeps it and sends it at every
hydrate; the state resolves the session by its sha256 (`_token_hash`), and `__getstate__`
blanks the raw value in the copy Reflex pickles (Redis, disk): no delta is sent.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import reflex as rx

from chat_app import routes
from chat_app.i18n import in_every_language, text
from chat_app.realtime.profile import PROFILE
from chat_app.realtime.push import push_to_tabs
from chat_app.services import auth, passwords, sessions, validation
from chat_app.services.errors import (
    AccountDisabled,
    DomainError,
    InvalidCredentials,
    NotAuthenticated,
    RateLimited,
    Refused,
    TooManyAttempts,
    TooManyRegistrations,
    ValidationFailed,
)
from chat_app.services.people_views import LoginResult, UserView
from chat_app.services.sessions import SessionKey
from chat_app.states import links, service_call, session_guard
from chat_app.states.device_events import devices_changed
from chat_app.states.guard import guarded
from chat_app.states.refusals import empty_login_words, field_words, refusal_words
from chat_app.states.service_call import call_service, call_slow_service, form_text
from chat_app.states.tab_identity import client_address, tab_token
from chat_app.states.ui import language_of

P = ParamSpec("P")
R = TypeVar("R")
# The server's length rules, in code points (the forms size their inputs from them).
USERNAME_MAX = validation.MAX_USERNAME_LENGTH
NICKNAME_MAX = validation.MAX_NICKNAME_LENGTH
PASSWORD_MAX = passwords.MAX_PASSWORD_LENGTH


# How the states holding more than this one's of a user (an administrator's lists, a link
# just made, an open dialog) forget it when the tab signs out: Reflex sends every state of
# the tab with the next page, to whoever uses this browser tab next.
_on_sign_out: list[Callable[[AuthState], Awaitable[None]]] = []


def on_sign_out(forget: Callable[[AuthState], Awaitable[None]]) -> None:
    """Register what a state forgets when its tab signs out (not called for a tab never in).

    Args:
        forget: Called with the tab's AuthState.
    """
    _on_sign_out.append(forget)


async def _own_user_id(state: AuthState) -> int | None:
    """The session guard's resolution for AuthState's own handlers (states/viewer.py)."""
    user = await state._current_user()
    return user.id if user is not None else None


def _signed_in(
    handler: Callable[Concatenate[AuthState, int, P], R],
) -> Callable[Concatenate[AuthState, P], R]:
    """`viewer.signed_in` for the state that holds the session (viewer.py imports this one)."""
    return guarded(handler, _own_user_id)


async def _clear_ended_session(state: AuthState, why: str = "not_authenticated") -> list[Any]:
    """Applied to the other tabs of a session that was ended elsewhere: back to /auth.

    The redirect is made here, in the tab's worker: an event does not pickle, and this
    change may travel to the worker holding the tab's socket (realtime/push_relay.py).
    """
    await state._forget_user(notice=text(why, await language_of(state)))
    return [rx.redirect(routes.AUTH, replace=True)]


async def end_tabs_of(
    user_id: int,
    keep_session_hash: str | None = None,
    except_tab: str = "",
    *,
    only: str | None = None,
    why: str = "not_authenticated",
) -> None:
    """Send a user's open tabs to /auth live (sessions ended: logout, disable, delete).

    The tabs of session `keep_session_hash` and the tab `except_tab` stay (that one is not
    told of the device change either); `only` names the one session whose tabs go (None:
    all), `why` the notice saying why (an i18n key).
    """
    tabs = [
        entry.tab_token
        for entry in await PROFILE.tab_registry.tabs_of(user_id)
        if entry.session_hash != keep_session_hash and entry.tab_token != except_tab
        if only in (None, entry.session_hash)
    ]
    for tab in tabs:
        await PROFILE.tab_registry.unregister(tab)
    push_to_tabs(tabs, AuthState, functools.partial(_clear_ended_session, why=why))
    await devices_changed(user_id, except_tab)


class AuthState(rx.State):
    """Who is logged in on this tab, and the account forms' errors."""

    # Synced across tabs of the browser: logging out in one tab logs out the others live.
    session_token: str = rx.LocalStorage("", name="chat_session", sync=True)
    username: str = ""
    nickname: str = ""
    avatar_url: str = ""
    # The forms' refusals in each language (`ui.said` shows the tab's): a switch of
    # language translates one already shown.
    login_error: dict[str, str] = {}
    register_errors: dict[str, dict[str, str]] = {}
    # Not about one field (the per-address registration limit).
    register_error: dict[str, str] = {}
    notice: str = ""
    busy: bool = False
    _user_id: int | None = None
    # sha256 of the session token: what the server resolves the session by (see above).
    _token_hash: str = ""
    # "user id:session hash" this tab is registered as (a Redis round trip is saved on
    # every event; page loads register again regardless, after a reconnect or a restart).
    _registered_as: str = ""

    def __getstate__(self):
        """What Reflex pickles (Redis state manager, disk): the token's hash, never the token.

        A token the browser just sent (a hydrate, another tab's sync) may not have been
        hashed yet: its hash is taken here, as `_session_hash` would.

        Returns:
            A copy of the state's dict with the bearer token blanked; the live state and the
            browser keep theirs (the value is not assigned, so no delta is sent).
        """
        state = super().__getstate__()
        if token := state.get("session_token"):
            state = {
                **state,
                "session_token": "",
                "_token_hash": sessions.hash_of_sent_token(token),
            }
        return state

    # ----- private helpers (not callable from the client) -----

    def _session_hash(self) -> str:
        """The sha256 of this tab's session token, "" when it has none.

        A token the browser sent (hydrate, login, another tab's sync) wins and is hashed; a
        state loaded from Redis has no raw token and keeps the hash it had.
        """
        if token := self.session_token:
            token_hash = sessions.hash_of_sent_token(token)
            if token_hash != self._token_hash:
                self._token_hash = token_hash
        return self._token_hash

    async def _forget_user(self, notice: str | None = "") -> None:
        """Log this tab out locally; `notice=None` keeps the message already shown."""
        signed_in = self._user_id is not None or bool(self.username)
        session_guard.forget(self._session_hash())
        self._user_id = None
        if self.username:
            self.username = ""
        if self.nickname:
            self.nickname = ""
        if self.avatar_url:
            self.avatar_url = ""
        # After a load from Redis the raw token is blank here but not in the browser:
        # assigning sends the delta that erases it there.
        if self.session_token or self._token_hash:
            self.session_token = ""
            self._token_hash = ""
        if notice is not None:
            self.notice = notice
        if self._registered_as:
            self._registered_as = ""
            await PROFILE.tab_registry.unregister(tab_token(self))
        if signed_in:
            for forget in _on_sign_out:
                await forget(self)

    async def _link_key(self) -> SessionKey | None:
        """The login session this tab's download links are bound to (states/links.py)."""
        token_hash = self._session_hash()
        key = await links.session_key(token_hash) if token_hash else None
        return key if key is not None and key.user_id == self._user_id else None

    async def _remember_user(self, user: UserView, register: bool = False) -> None:
        # Assigning marks a var dirty and re-sends it, and a backend var's state is pickled
        # and saved again (to Redis on the scaled profile): only touch what changed.
        if self._user_id != user.id:
            self._user_id = user.id
        if self.username != user.username:
            self.username = user.username
        if self.nickname != user.nickname:
            self.nickname = user.nickname
        key = await self._link_key() if user.avatar_file_id else None
        avatar = links.file_link(key, user.avatar_file_id, "thumb") if key else ""
        # Only a different picture changes the link (a fresh signature alone is no change).
        if avatar.split("?")[0] != self.avatar_url.split("?")[0]:
            self.avatar_url = avatar
        if session_hash := self._session_hash():
            registered_as = f"{user.id}:{session_hash}"
            if register or registered_as != self._registered_as:
                tab = tab_token(self)
                await PROFILE.tab_registry.register(user.id, tab, session_hash)
                self._registered_as = registered_as

    async def _start_session(self, result: LoginResult) -> None:
        self.session_token = result.token
        self._token_hash = sessions.hash_token(result.token)
        self.login_error, self.register_errors, self.register_error = {}, {}, {}
        self.notice = ""
        await self._remember_user(result.user, register=True)
        # A new device in the lists of the user's other open account pages.
        await devices_changed(result.user.id, except_tab=tab_token(self))

    async def _current_user(self, register: bool = False, fresh: bool = False) -> UserView | None:
        """Re-resolve this tab's token on the server, once per event chain (session_guard.py).

        Forgets the user if the session is no longer valid.

        Args:
            register: Register the tab for pushes even if it was before (page loads).
            fresh: Read the user again even if this event chain did (after the handler
                changed the profile).
        """
        token_hash = self._session_hash()
        if not token_hash:
            return await self._resolved(token_hash, None, register)
        user, resolved = await session_guard.resolve_once(
            token_hash,
            lambda: service_call.call_autocommit_service(
                sessions.resolve_session_by_hash,
                token_hash=token_hash,
                client_address=client_address(self),  # shown in "My devices"
            ),
            fresh=fresh,
        )
        if not resolved:
            # Earlier in this chain: the tab already shows what it meant; only a page load
            # that asks to register the tab again still does so.
            if user is not None and register:
                await self._remember_user(user, register)
            return user
        return await self._resolved(token_hash, user, register)

    async def _resolved(
        self, token_hash: str, user: UserView | None, register: bool
    ) -> UserView | None:
        if user is None:
            # A tab with no token was never logged in here: keep any notice on screen.
            notice = text("not_authenticated", await language_of(self))
            await self._forget_user(notice=notice if token_hash else None)
        else:
            await self._remember_user(user, register)
        return user

    async def _end_other_tabs(self, user_id: int, keep_session_hash: str | None) -> None:
        await end_tabs_of(user_id, keep_session_hash, except_tab=tab_token(self))

    # ----- page loads -----

    @rx.event
    async def require_login(self):
        """On load of a private page: resolve the session or send the visitor to /auth."""
        if await self._current_user(register=True) is None:
            return rx.redirect(routes.AUTH, replace=True)

    @rx.event
    async def skip_auth_if_logged_in(self):
        """On load of /auth: a tab that is already logged in goes straight to the chat."""
        if self._session_hash() and await self._current_user(register=True) is not None:
            return rx.redirect(routes.CHAT, replace=True)

    # ----- forms -----

    async def _signed_in_as(self, username: str) -> bool:
        if not self._session_hash():
            return False
        user, key = await self._current_user(), validation.username_key
        return user is not None and key(user.username) == key(username)

    async def _sign_in(self, service: Callable[..., LoginResult], **fields: str):
        """Log this tab in through `auth.login` or `auth.register`, the button busy meanwhile.

        Yields:
            The busy button, then the way to the chat once logged in.
        """
        if await self._signed_in_as(fields.get("username", "")):
            # A click queued behind the one that signed the tab in: no second device session.
            yield rx.redirect(routes.CHAT, replace=True)
            return
        self.busy = True
        yield
        try:
            result = await call_slow_service(
                service,
                client_address=client_address(self),
                user_agent=self.router.headers.user_agent,
                **fields,
            )
        except (
            InvalidCredentials,
            RateLimited,
            Refused,
            TooManyAttempts,
            TooManyRegistrations,
            ValidationFailed,
        ) as e:
            self._show_refusal(e)
        else:
            await self._start_session(result)
            yield rx.redirect(routes.CHAT, replace=True)
        finally:
            self.busy = False

    def _show_refusal(self, error: DomainError) -> None:
        """Put a login's or a registration's refusal where its form shows it."""
        if isinstance(error, ValidationFailed):
            self.register_errors = field_words(error)
        elif isinstance(error, RateLimited):  # too many wrong setup codes from this address
            self.register_errors = {"setup_code": in_every_language("setup_too_many_guesses")}
        elif isinstance(error, AccountDisabled):  # a login's, with the right password
            self.login_error = refusal_words(error)
        elif isinstance(error, TooManyRegistrations | Refused):  # no one field's: the limit
            # per address, or the registration mode
            self.register_error = refusal_words(error)
        else:  # a login's: wrong credentials, or held back by the throttle
            self.login_error = refusal_words(error)

    @rx.event
    async def login(self, form_data: dict):
        """Log in with the submitted username and password."""
        username, password = form_text(form_data, "username"), form_text(form_data, "password")
        self.login_error = empty_login_words(username, password)
        if self.login_error:
            return
        async for update in self._sign_in(
            auth.login,
            username=username,
            password=password,
            # A device already logged in as this user is never held back by others.
            device_hash=self._session_hash(),
        ):
            yield update

    @rx.event
    async def register(self, form_data: dict):
        """Create an account from the submitted form and log this tab in."""
        self.register_errors, self.register_error = {}, {}
        async for update in self._sign_in(
            auth.register,
            username=form_text(form_data, "username"),
            nickname=form_text(form_data, "nickname"),
            password=form_text(form_data, "password"),
            password_confirm=form_text(form_data, "password_confirm"),
            setup_code=form_text(form_data, "setup_code"),
        ):
            yield update

    # ----- logout -----

    @rx.event
    async def logout(self):
        """End this device's session and go to /auth."""
        if token_hash := self._session_hash():
            with contextlib.suppress(DomainError):
                await call_service(auth.logout, token_hash=token_hash)
        if self._user_id is not None:
            await devices_changed(self._user_id, except_tab=tab_token(self))
        await self._forget_user()
        return rx.redirect(routes.AUTH, replace=True)

    @rx.event
    @_signed_in
    async def logout_everywhere(self, viewer_id: int):
        """End every session of this user, on every device, and go to /auth."""
        with contextlib.suppress(NotAuthenticated):
            await call_service(auth.logout_everywhere, token_hash=self._session_hash())
        await self._end_other_tabs(viewer_id, keep_session_hash=None)
        await self._forget_user(notice=text("logged_out_everywhere", await language_of(self)))
        return rx.redirect(routes.AUTH, replace=True)

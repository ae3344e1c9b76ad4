"""The page an invite link opens (/invite/<token>): what it offers, and using it.

The token comes from the page's address on every load and every action, and the services
check it again each time: nothing the tab kept decides whether it is valid. Forms show their
errors where the /auth forms do (AuthState's vars), so the same form components serve here.
After registering or logging in, the tab is logged in like after /auth, lands in the chat
and, for a group invite, opens the group, whose members see the new member live.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.services import auth, invite_use
from chat_app.services.errors import (
    DomainError,
    InvalidCredentials,
    NotFound,
    RateLimited,
    Refused,
    TooManyAttempts,
    TooManyRegistrations,
    ValidationFailed,
)
from chat_app.services.group_views import GroupChange
from chat_app.services.people_views import LoginResult
from chat_app.states.auth import AuthState
from chat_app.states.conversation import ConversationState
from chat_app.states.group_changes import publish
from chat_app.states.invite_manager import show_use_live
from chat_app.states.refusals import empty_login_words
from chat_app.states.service_call import call_service, call_slow_service, form_text
from chat_app.states.tab_identity import client_address
from chat_app.states.ui import UiState, language_of

# What the page shows: nothing yet, the one "invalid" message, or the invite.
CHECKING, INVALID, SERVER, GROUP = "", "invalid", "server", "group"
_FORM_REFUSALS = (
    InvalidCredentials,
    Refused,
    TooManyAttempts,
    TooManyRegistrations,
    ValidationFailed,
)


class InvitePageState(rx.State):
    """What the opened invite offers this tab, and which form it shows."""

    kind: str = CHECKING
    # "You are invited to this chat" / "Join <group> on this chat" (a value, never a Var).
    heading: str = ""
    may_register: bool = False
    # The signed-in user's nickname ("" when nobody is signed in on this tab).
    signed_in_as: str = ""
    # "You are logged in as <nickname>." (a value, never a Var).
    signed_in_line: str = ""
    # A group invite's page shows the login form instead of the registration form.
    show_login: bool = False
    # About the link, not a form field: invalid, throttled, the group full.
    message: str = ""

    def _token(self) -> str:
        token = self.router.page.params.get("token", "")
        return token if isinstance(token, str) else ""

    async def _signed_in(self, nickname: str) -> None:
        self.signed_in_as = nickname
        language = await language_of(self)
        self.signed_in_line = (
            text("invite_signed_in_as", language, name=nickname) if nickname else ""
        )

    async def _invalid(self, error: DomainError) -> None:
        """Show the one message for a link that cannot be used (or the throttle's)."""
        self.kind, self.heading, self.may_register, self.show_login = INVALID, "", False, False
        code = "invite_too_many_guesses" if isinstance(error, RateLimited) else "invite_invalid"
        self.message = text(code, await language_of(self))

    @rx.event
    async def load(self):
        """On load: the browser's language, who is signed in, and what the link offers."""
        (await self.get_state(UiState))._detect_language()
        auth_state = await self.get_state(AuthState)
        user = await auth_state._current_user(register=True) if auth_state._session_hash() else None
        await self._signed_in(user.nickname if user is not None else "")
        self.message, self.show_login = "", False
        try:
            offer = await call_service(
                invite_use.describe, token=self._token(), client_address=client_address(self)
            )
        except (NotFound, RateLimited) as error:
            await self._invalid(error)
            return
        language = await language_of(self)
        self.may_register = offer.may_register
        if offer.conversation_id:
            self.kind = GROUP
            self.heading = text("invite_to_group", language, name=offer.group_name)
        else:
            self.kind = SERVER
            self.heading = text("invite_to_server", language)
            if user is not None:
                self.message = text("invite_have_account", language)
        # A group invite that creates no accounts offers only the login.
        self.show_login = self.kind == GROUP and not offer.may_register and user is None

    @rx.event
    def toggle_login(self):
        """Switch a group invite's page between registering and logging in."""
        if self.kind == GROUP:
            self.show_login = not self.show_login or not self.may_register

    async def _land(self, conversation_id: int, change: GroupChange | None) -> list[Any]:
        """Publish the join, open the group in this tab, and go to the chat."""
        conversation = await self.get_state(ConversationState)
        # This tab's states follow the user now signed in (none of a previous user's data).
        user_id = (await self.get_state(AuthState))._user_id
        conversation._follow_viewer(user_id, None)
        events = await publish(self, change) if change is not None else []
        if conversation_id:
            # What the tab showed is left as a click on another chat leaves it.
            showing = conversation.conversation_id and user_id is not None
            if showing and (refused := await conversation._leave(user_id or 0)) is not None:
                events.append(refused)
            # The chat page opens what the tab remembers: this group.
            conversation.open_conversation_store = str(conversation_id)
        return [*events, rx.redirect(routes.CHAT, replace=True)]

    async def _form_refused(self, error: DomainError) -> None:
        auth_state = await self.get_state(AuthState)
        if isinstance(error, NotFound | RateLimited):
            await self._invalid(error)
        else:
            auth_state._show_refusal(error)

    @rx.event
    async def register(self, form_data: dict):
        """Create an account through the link, log this tab in and land in the chat."""
        auth_state = await self.get_state(AuthState)
        auth_state.register_errors, auth_state.register_error = {}, {}
        auth_state.busy = True
        yield
        try:
            result = await call_slow_service(
                invite_use.register_with_invite,
                token=self._token(),
                username=form_text(form_data, "username"),
                nickname=form_text(form_data, "nickname"),
                password=form_text(form_data, "password"),
                password_confirm=form_text(form_data, "password_confirm"),
                client_address=client_address(self),
                user_agent=self.router.headers.user_agent,
            )
        except (NotFound, RateLimited, *_FORM_REFUSALS) as error:
            await self._form_refused(error)
            return
        finally:
            auth_state.busy = False
        await auth_state._start_session(result.login)
        await show_use_live(result.conversation_id)
        for event in await self._land(result.conversation_id, result.change):
            yield event

    @rx.event
    async def login(self, form_data: dict):
        """Log in with an existing account, then join the link's group."""
        auth_state = await self.get_state(AuthState)
        username, password = form_text(form_data, "username"), form_text(form_data, "password")
        auth_state.login_error = empty_login_words(username, password)
        if auth_state.login_error:
            return
        auth_state.busy = True
        yield
        try:
            result: LoginResult = await call_slow_service(
                auth.login,
                username=username,
                password=password,
                client_address=client_address(self),
                user_agent=self.router.headers.user_agent,
                device_hash=auth_state._session_hash(),
            )
        except _FORM_REFUSALS as error:
            await self._form_refused(error)
            return
        finally:
            auth_state.busy = False
        await auth_state._start_session(result)
        await self._signed_in(result.user.nickname)
        for event in await self._join(result.user.id):
            yield event

    @rx.event
    async def join(self):
        """The signed-in user joins the link's group (a member already: it just opens)."""
        user = await (await self.get_state(AuthState))._current_user()
        if user is None:
            await self._signed_in("")
            return None
        return await self._join(user.id)

    async def _join(self, user_id: int) -> list[Any]:
        try:
            joined = await call_service(
                invite_use.join_with_invite,
                user_id=user_id,
                token=self._token(),
                client_address=client_address(self),
            )
        except (NotFound, RateLimited) as error:
            await self._invalid(error)
            return []
        except Refused as error:
            self.message = text(error.code, await language_of(self))
            return []
        if joined.change is not None:
            # A use was taken (not for a member already, who only opens the group).
            await show_use_live(joined.conversation_id)
        return await self._land(joined.conversation_id, joined.change)

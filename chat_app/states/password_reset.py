"""The /reset/[token] page: set a new password through a one-time link, then chat.

The token comes from the page's address (untrusted, like everything a client sends) and is
checked by the service at every event; the state keeps only what the page shows. An
unknown, used, expired, revoked or guessed token all read the same, and the address's
wrong guesses are counted (services/token_guesses.py).
"""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.services import password_resets
from chat_app.services.errors import NotFound, RateLimited, ValidationFailed
from chat_app.states.auth import AuthState
from chat_app.states.service_call import call_service, call_slow_service, form_text
from chat_app.states.tab_identity import client_address
from chat_app.states.ui import language_of

# The service's field names, as the form names its inputs (their labels exist already).
_FORM_FIELDS = {"password": "new_password", "password_confirm": "new_password_confirm"}


class PasswordResetState(rx.State):
    """What the reset page shows: whose password it sets, or that the link cannot be used."""

    # The username the link is for ("" until checked, or when it is invalid).
    username: str = ""
    invalid: bool = False
    errors: dict[str, str] = {}
    busy: bool = False

    def _token(self) -> str:
        token = self.router.page.params.get("token", "")
        return token if isinstance(token, str) else ""

    def _refuse(self) -> None:
        self.username = ""
        self.invalid = True
        self.errors = {}

    @rx.event
    async def load(self):
        """On load: check the link and show whose password it sets, or the one refusal."""
        self.errors = {}
        try:
            self.username = await call_service(
                password_resets.reset_username,
                token=self._token(),
                client_address=client_address(self),
            )
        except (NotFound, RateLimited):
            self._refuse()
        else:
            self.invalid = False

    @rx.event
    async def submit(self, form_data: dict):
        """Set the new password, log this tab in and end every other session of the user.

        Yields:
            The busy button, then the way to the chat.
        """
        self.busy = True
        yield
        try:
            result = await call_slow_service(
                password_resets.use_reset,
                token=self._token(),
                password=form_text(form_data, "new_password"),
                password_confirm=form_text(form_data, "new_password_confirm"),
                client_address=client_address(self),
                user_agent=self.router.headers.user_agent,
            )
        except ValidationFailed as error:
            language = await language_of(self)
            self.errors = {
                _FORM_FIELDS.get(field, field): text(code, language)
                for field, code in error.field_errors.items()
            }
            return
        except (NotFound, RateLimited):
            self._refuse()
            return
        finally:
            self.busy = False
        auth = await self.get_state(AuthState)
        await auth._start_session(result)
        # Every other session ended with the reset: their open tabs go to /auth now.
        await auth._end_other_tabs(result.user.id, keep_session_hash=auth._session_hash())
        self.errors = {}
        yield rx.redirect(routes.CHAT, replace=True)

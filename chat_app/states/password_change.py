"""Changing one's own password from the user menu: the dialog, its errors, the change."""

from __future__ import annotations

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.services import auth
from chat_app.services.errors import NotAuthenticated, TooManyAttempts, ValidationFailed
from chat_app.states.auth import AuthState, on_sign_out
from chat_app.states.refusals import field_texts, refusal_text
from chat_app.states.safe_text import toast_success
from chat_app.states.service_call import call_slow_service, form_text
from chat_app.states.tab_identity import client_address
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in


class PasswordChangeState(rx.State):
    """The change-password dialog of one tab."""

    password_errors: dict[str, str] = {}
    password_dialog_open: bool = False

    def _close(self) -> None:
        if self.password_dialog_open:
            self.password_dialog_open = False
        if self.password_errors:
            self.password_errors = {}

    @rx.event
    def set_password_dialog_open(self, is_open: bool):
        """Open or close the change-password dialog."""
        self.password_dialog_open = is_open is True
        self.password_errors = {}

    @rx.event
    @signed_in
    async def change_password(self, viewer_id: int, form_data: dict):
        """Change the password; every other device of the user is logged out."""
        session = await self.get_state(AuthState)
        try:
            await call_slow_service(
                auth.change_password,
                token_hash=session._session_hash(),
                current_password=form_text(form_data, "current_password"),
                new_password=form_text(form_data, "new_password"),
                new_password_confirm=form_text(form_data, "new_password_confirm"),
                client_address=client_address(self),
            )
        except TooManyAttempts as error:
            message = refusal_text(error, await language_of(self))
            self.password_errors = {"current_password": message}
            return None
        except ValidationFailed as error:
            self.password_errors = field_texts(error, await language_of(self))
            return None
        except NotAuthenticated:
            await session._forget_user(notice=text("not_authenticated", await language_of(self)))
            return rx.redirect(routes.AUTH, replace=True)
        self._close()
        await session._end_other_tabs(viewer_id, keep_session_hash=session._session_hash())
        return toast_success(text("password_changed", await language_of(self)))


async def _close_dialog(state: AuthState) -> None:
    (await state.get_state(PasswordChangeState))._close()


on_sign_out(_close_dialog)

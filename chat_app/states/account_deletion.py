"""Deleting my own account from /account: password and confirmation, then every tab to /auth.

The service (account_status.delete_own_account) checks the password under the login
throttle, blanks the account in one transaction and leaves its groups; here the result is
shown where it matters: the groups it left (handed over) in their members' tabs, the former
friends' panes, and each of the user's own tabs back to /auth with "Your account was
deleted".
"""

from __future__ import annotations

import math

import reflex as rx

from chat_app import routes
from chat_app.i18n import text
from chat_app.services import account_status
from chat_app.services.errors import (
    NotAuthenticated,
    Refused,
    TooManyAttempts,
    ValidationFailed,
)
from chat_app.states.account_changes import publish_account_change
from chat_app.states.auth import AuthState, end_tabs_of
from chat_app.states.service_call import call_slow_service, form_text
from chat_app.states.tab_identity import client_address, tab_token
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

DELETED_NOTICE = "account_deleted_notice"


class DeleteAccountState(rx.State):
    """The delete form's refusal and its busy button."""

    delete_error: str = ""
    busy: bool = False

    async def _refusal(self, error: Exception) -> str:
        language = await language_of(self)
        if isinstance(error, TooManyAttempts):
            minutes = math.ceil(error.retry_after_seconds / 60)
            return text("too_many_attempts", language, minutes=max(1, minutes))
        if isinstance(error, ValidationFailed):
            return text("current_password_wrong", language)
        if isinstance(error, Refused) and error.code == "last_admin":
            return text("account_last_admin", language)
        return text("error", language)

    @rx.event
    @signed_in
    async def delete_account(self, viewer_id: int, form_data: dict):
        """Delete my account if the password is right and the box is ticked."""
        language = await language_of(self)
        if not isinstance(form_data, dict) or form_data.get("confirm") not in ("on", True):
            self.delete_error = text("account_delete_confirm_missing", language)
            return
        auth = await self.get_state(AuthState)
        self.busy = True
        yield
        try:
            change = await call_slow_service(
                account_status.delete_own_account,
                user_id=viewer_id,
                password=form_text(form_data, "password"),
                client_address=client_address(self),
                device_hash=auth._session_hash(),
            )
        except NotAuthenticated:
            await auth._forget_user(notice=text("not_authenticated", language))
            yield rx.redirect(routes.AUTH, replace=True)
            return
        except (TooManyAttempts, ValidationFailed, Refused) as error:
            self.delete_error = await self._refusal(error)
            return
        finally:
            self.busy = False
        self.delete_error = ""
        # Groups handed over, former friends' panes, contents no longer linked; then every
        # other tab of mine to /auth saying why (this one goes below).
        await publish_account_change(self, change)
        own_tab = tab_token(self)
        await end_tabs_of(viewer_id, except_tab=own_tab, why=DELETED_NOTICE)
        await auth._forget_user(notice=text(DELETED_NOTICE, language))
        yield rx.redirect(routes.AUTH, replace=True)

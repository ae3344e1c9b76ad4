"""The "My account" page: my nickname and my devices.

Every handler re-derives the user from the tab's server-side session (`signed_in`); a
device is named by its session id only among the viewer's own sessions, which the service
checks (a forged id ends nothing and says nothing). The list holds at most
devices.DEVICES_SHOWN rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from chat_app.i18n import text
from chat_app.realtime.push import notify_users
from chat_app.services import devices, profile_names
from chat_app.services.errors import NotFound, ValidationFailed
from chat_app.services.sessions import SessionKey
from chat_app.states.auth import NICKNAME_MAX, AuthState, end_tabs_of
from chat_app.states.device_events import on_devices_changed
from chat_app.states.friends import FriendsState
from chat_app.states.name_changes import publish_rename
from chat_app.states.safe_text import toast_info, toast_success
from chat_app.states.service_call import call_service, form_text
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in

# What is typed is kept to this before the service's own rules (32 code points) apply.
NICKNAME_KEPT = 4 * NICKNAME_MAX


@dataclass(frozen=True)
class DeviceRow:
    """One device as the page lists it ("" browser or system: not recognised)."""

    session_id: int
    browser: str
    system: str
    # ISO 8601, shown relative to now in the browser.
    last_active: str
    address: str
    this_device: bool


class MyAccountState(rx.State):
    """The nickname form's refusal and the list of the viewer's devices."""

    nickname_error: str = ""
    devices: list[DeviceRow] = []
    # "Log out all other devices" was pressed and waits for its confirmation.
    confirming_log_out_others: bool = False
    _user_id: int | None = None

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        """Told by the session guard who the tab's user is: another user sees nothing of it."""
        del link_key  # no pictures here
        if user_id is None or user_id != self._user_id:
            self.nickname_error = ""
            self.devices = []
            self.confirming_log_out_others = False
            self._user_id = user_id

    async def _read_devices(self, viewer_id: int) -> None:
        here = (await self.get_state(AuthState))._session_hash()
        found = await call_service(devices.devices, user_id=viewer_id, current_hash=here)
        self.devices = [
            DeviceRow(
                session_id=device.session_id,
                browser=device.browser,
                system=device.system,
                last_active=device.last_active.isoformat(),
                address=device.address,
                this_device=device.this_device,
            )
            for device in found
        ]

    @rx.var
    def has_other_devices(self) -> bool:
        """Whether the list shows a device besides this one ("Log out all other devices")."""
        return any(not device.this_device for device in self.devices)

    @rx.event
    @signed_in
    async def load(self, viewer_id: int):
        """On load of /account (and after each reconnect): read my devices."""
        self.nickname_error = ""
        self.confirming_log_out_others = False
        await self._read_devices(viewer_id)

    @rx.event
    @signed_in
    async def save_nickname(self, viewer_id: int, form_data: dict):
        """Change my nickname; my tabs, my friends' and my groups' show it at once."""
        language = await language_of(self)
        nickname = form_text(form_data, "nickname")[:NICKNAME_KEPT]
        try:
            change = await call_service(
                profile_names.change_nickname, user_id=viewer_id, nickname=nickname
            )
        except ValidationFailed as error:
            self.nickname_error = text(error.field_errors.get("nickname", "error"), language)
            return None
        except NotFound:
            self.nickname_error = text("error", language)
            return None
        self.nickname_error = ""
        await (await self.get_state(AuthState))._current_user(fresh=True)
        await publish_rename(await self.get_state(FriendsState), change)
        return toast_success(text("account_nickname_saved", language))

    @rx.event
    @signed_in
    async def log_out_device(self, viewer_id: int, session_id: int):
        """Log out one of my other devices; its open tabs go to /auth at once."""
        here = (await self.get_state(AuthState))._session_hash()
        ended = await call_service(
            devices.end_device, user_id=viewer_id, session_id=session_id, current_hash=here
        )
        await self._read_devices(viewer_id)
        language = await language_of(self)
        if not ended:
            return toast_info(text("account_device_gone", language))
        await end_tabs_of(viewer_id, only=ended, except_tab=tab_token(self))  # read above
        return toast_success(text("account_device_logged_out", language))

    @rx.event
    @signed_in
    async def ask_log_out_others(self, viewer_id: int):
        """Show the confirmation of "Log out all other devices"."""
        del viewer_id  # only a signed-in tab asks; the confirmation re-derives the user
        self.confirming_log_out_others = True

    @rx.event
    def cancel_log_out_others(self):
        """Hide that confirmation, logging nothing out."""
        self.confirming_log_out_others = False

    @rx.event
    @signed_in
    async def log_out_other_devices(self, viewer_id: int):
        """Log out all my devices but this one; their open tabs go to /auth at once."""
        self.confirming_log_out_others = False
        here = (await self.get_state(AuthState))._session_hash()
        ended = await call_service(devices.end_other_devices, user_id=viewer_id, current_hash=here)
        await self._read_devices(viewer_id)
        language = await language_of(self)
        if not ended:
            return toast_info(text("account_no_other_devices", language))
        # This browser's other tabs share its session and stay.
        await end_tabs_of(viewer_id, keep_session_hash=here, except_tab=tab_token(self))
        return toast_success(text("account_other_devices_logged_out", language))


async def _read_again(state: MyAccountState) -> list[Any]:
    # A module function, not a closure: the push may travel to the worker holding the tab.
    # Only a tab that has read its list (it was on /account), for the tab's own user.
    if state.devices and state._user_id is not None:
        await state._read_devices(state._user_id)
    return []


async def _tell_account_pages(user_id: int, except_tab: str) -> None:
    """A device logged in or out: every open account page of the user lists it live."""
    await notify_users([user_id], MyAccountState, _read_again, except_tab=except_tab)


on_devices_changed(_tell_account_pages)

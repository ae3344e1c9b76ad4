"""My account against a real backend: logging out another device, deleting my account.

Raw `/_event` clients: the other device's tab is sent to /auth by a push, without any
action of its own; a deleted account's every tab goes there with the reason.
"""

from __future__ import annotations

from chat_app.states.account_deletion import DeleteAccountState
from chat_app.states.my_account import MyAccountState
from tests.realtime.helpers import AUTH, PASSWORD, register, unique_username
from tests.realtime.test_auth_events import redirected_to
from tests.support.event_client import EventClient

ACCOUNT = MyAccountState.get_full_name()
DELETION = DeleteAccountState.get_full_name()


async def _second_device(backend_url: str, username: str) -> EventClient:
    phone = EventClient(backend_url)
    await phone.connect("/auth")
    await phone.call(AUTH, "login", {"form_data": {"username": username, "password": PASSWORD}})
    await phone.wait_for(lambda c: c.var(AUTH, "username") == username)
    phone.navigate("/account")
    await phone.call(AUTH, "require_login", {})
    phone.events.clear()
    return phone


async def test_logging_out_my_other_device_sends_its_tab_to_auth(backend_url: str):
    username = unique_username("dev")
    laptop = await register(backend_url, username)
    phone = await _second_device(backend_url, username)
    laptop.navigate("/account")
    await laptop.call(ACCOUNT, "load", {})
    await laptop.wait_for(lambda c: len(c.var(ACCOUNT, "devices") or []) == 2)
    other = next(d for d in laptop.var(ACCOUNT, "devices") if not d["this_device"])
    # A forged id logs nothing out.
    await laptop.call(ACCOUNT, "log_out_device", {"session_id": 10**9})
    await laptop.call(ACCOUNT, "log_out_device", {"session_id": other["session_id"]})

    await phone.wait_for(lambda c: redirected_to(c, "/auth"))
    assert phone.var(AUTH, "session_token") == ""
    await laptop.wait_for(lambda c: len(c.var(ACCOUNT, "devices")) == 1)
    assert laptop.var(AUTH, "username") == username
    assert not redirected_to(laptop, "/auth")
    for tab in (laptop, phone):
        await tab.close()


async def test_deleting_my_account_sends_every_tab_of_mine_to_auth(backend_url: str):
    # Someone else first: on an empty database the first account is the administrator,
    # and the last administrator cannot delete their own account.
    first = await register(backend_url, unique_username("first"))
    await first.close()
    username = unique_username("gone")
    laptop = await register(backend_url, username)
    phone = await _second_device(backend_url, username)
    laptop.navigate("/account")
    form = {"password": PASSWORD, "confirm": "on"}
    await laptop.call(DELETION, "delete_account", {"form_data": form})

    for tab in (laptop, phone):
        await tab.wait_for(lambda c: redirected_to(c, "/auth"))
        assert tab.var(AUTH, "session_token") == ""
        assert tab.var(AUTH, "notice") == "Your account was deleted."
    # Logging in again is refused like any wrong password.
    await phone.call(AUTH, "login", {"form_data": {"username": username, "password": PASSWORD}})
    await phone.wait_for(lambda c: bool(c.var(AUTH, "login_error")))
    for tab in (laptop, phone):
        await tab.close()


async def test_an_open_device_list_follows_logins_and_logouts_live(backend_url: str):
    username = unique_username("live")
    laptop = await register(backend_url, username)
    laptop.navigate("/account")
    await laptop.call(ACCOUNT, "load", {})
    await laptop.wait_for(lambda c: len(c.var(ACCOUNT, "devices") or []) == 1)
    # A login elsewhere shows in the open list without a reload (it stayed at one row).
    phone = await _second_device(backend_url, username)
    await laptop.wait_for(lambda c: len(c.var(ACCOUNT, "devices")) == 2)
    # That device logs itself out: gone from the list, live.
    await phone.call(AUTH, "logout", {})
    await laptop.wait_for(lambda c: len(c.var(ACCOUNT, "devices")) == 1)
    for tab in (laptop, phone):
        await tab.close()

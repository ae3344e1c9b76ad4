"""The emoji picker's state: bounded search results, recent emoji per user, gone at logout."""

from __future__ import annotations

import json

import reflex as rx

from chat_app.emoji import DEFAULT_RECENT, MAX_QUERY, MAX_RESULTS
from chat_app.states.auth import AuthState
from chat_app.states.client_input import STORAGE_PATTERNS, stored_text
from chat_app.states.emoji_picker import GROUP_ITEMS, EmojiPickerState
from chat_app.states.sign_out import SignOutState
from tests.support.tabs import logged_in_tab, redirect_targets, run


async def picker_of(tab_factory, username: str) -> EmojiPickerState:
    tab = await logged_in_tab(tab_factory, username, f"{username}-tab")
    return await tab.get_state(EmojiPickerState)


def shown(items: list[list[str]]) -> list[str]:
    return [item[0] for item in items]


async def test_a_search_sends_a_bounded_page_with_both_names(tab_factory):
    picker = tab_factory(EmojiPickerState)
    await run(picker.set_query, "笑")
    assert "😂" in shown(picker.matches)
    assert ["😂", "face with tears of joy", "笑哭了"] in picker.matches
    await run(picker.set_query, "smile")
    assert "😄" in shown(picker.matches)
    await run(picker.set_query, "a")
    assert len(picker.matches) == MAX_RESULTS
    assert len(json.dumps(picker.matches, ensure_ascii=False).encode()) < 10_000
    await run(picker.set_query, "x" * 10_000)
    assert picker.query == "x" * MAX_QUERY
    assert picker.matches == []
    await run(picker.set_query, {"forged": True})
    assert picker.query == ""
    assert picker.matches == []


def test_browsing_is_compiled_into_the_page_not_held_in_state():
    own = set(EmojiPickerState.base_vars) - set(rx.State.base_vars)
    assert own == {"query", "recent_stored", "recent"}
    assert set(EmojiPickerState.computed_vars) == {"matches"}
    # Every group: the whole set, each with its English and Chinese name.
    assert sum(len(items) for items in GROUP_ITEMS.values()) > 1_800
    assert ["👍", "thumbs up", "拇指向上"] in GROUP_ITEMS["people"]


async def test_recent_emoji_come_first_when_the_picker_opens_again(tab_factory):
    picker = await picker_of(tab_factory, "ann")
    await run(picker.set_open, True)
    assert shown(picker.recent) == list(DEFAULT_RECENT)

    await run(picker.remember, "😄")
    await run(picker.remember, "🇨🇳")
    # Not reordered while open (the tab would move under the pointer).
    assert shown(picker.recent) == list(DEFAULT_RECENT)
    await run(picker.set_open, False)
    await run(picker.set_open, True)
    assert shown(picker.recent) == ["🇨🇳", "😄"]


async def test_what_is_not_an_emoji_is_not_remembered(tab_factory):
    picker = await picker_of(tab_factory, "ann")
    for forged in ("<b>x</b>", "😀" * 3, "", "7:😀"):
        await run(picker.remember, forged)
    assert picker.recent_stored == ""


async def test_another_users_recent_emoji_are_not_shown(tab_factory):
    picker = await picker_of(tab_factory, "bob")
    bob_id = (await picker.get_state(AuthState))._user_id
    assert bob_id is not None
    other_user = bob_id + 1
    picker.recent_stored = f"{other_user}:😈 👻"
    await run(picker.set_open, True)
    assert shown(picker.recent) == list(DEFAULT_RECENT)
    await run(picker.remember, "🎉")
    assert picker.recent_stored.endswith(":🎉")
    assert "😈" not in picker.recent_stored


async def test_opening_the_picker_signed_out_goes_to_login(tab_factory):
    picker = tab_factory(EmojiPickerState)
    assert redirect_targets(await run(picker.set_open, True)) == ["/auth"]
    assert redirect_targets(await run(picker.remember, "😀")) == ["/auth"]
    assert picker.recent == []


async def test_logout_clears_the_recent_emoji(tab_factory):
    picker = await picker_of(tab_factory, "ann")
    await run(picker.remember, "😄")
    assert picker.recent_stored
    await run((await picker.get_state(SignOutState)).log_out, True)
    assert picker.recent_stored == ""


def test_browser_storage_takes_a_recent_list_and_no_forged_value():
    pattern = STORAGE_PATTERNS["chat_recent_emoji"]
    assert stored_text("12:😀 👍", pattern) == "12:😀 👍"
    assert stored_text("12:", pattern) == "12:"
    for forged in ("😀", "0:😀", "12:😀\n", "12:" + "😀" * 400):
        assert stored_text(forged, pattern) == ""

"""The picker's emoji: the full Unicode set, grouped, found by English and Chinese names."""

from __future__ import annotations

import emoji as emoji_package
import pytest

from chat_app.emoji import (
    DEFAULT_RECENT,
    GROUPS,
    MAX_QUERY,
    MAX_RECENT,
    MAX_RESULTS,
    catalog,
    group_emoji,
    known_emoji,
    read_recent,
    remember_recent,
    search_emoji,
)


def found(query: object) -> list[str]:
    return [entry.char for entry in search_emoji(query)]


def test_every_fully_qualified_emoji_is_offered_once_with_both_names():
    fully_qualified = {
        char
        for char, data in emoji_package.EMOJI_DATA.items()
        if data["status"] == emoji_package.STATUS["fully_qualified"]
    }
    assert set(catalog()) == fully_qualified
    assert len(fully_qualified) > 3_500
    assert all(entry.en and entry.zh and entry.group in GROUPS for entry in catalog().values())
    assert catalog()["😀"].en == "grinning face"
    assert catalog()["😄"].zh == "大笑"


def test_browsing_lists_every_emoji_once_without_skin_tone_variants():
    browsed = [entry.char for group in GROUPS for entry in group_emoji(group)]
    assert len(browsed) == len(set(browsed))
    assert set(browsed) == {char for char, entry in catalog().items() if not entry.toned}
    assert "👍🏽" not in browsed
    assert all(group_emoji(group) for group in GROUPS)
    assert group_emoji("no such group") == ()


@pytest.mark.parametrize(
    ("char", "group"),
    [
        ("😀", "smileys"),
        ("❤️", "smileys"),
        ("👍", "people"),
        ("🧑‍💻", "people"),
        ("🐶", "nature"),
        ("🍎", "food"),
        ("🚗", "travel"),
        ("⚽", "activities"),
        ("💡", "objects"),
        ("✅", "symbols"),
        ("🇨🇳", "flags"),
        ("🏴‍☠️", "flags"),
    ],
)
def test_emoji_sit_in_the_group_a_person_looks_in(char: str, group: str):
    assert catalog()[char].group == group


def test_english_names_and_aliases_find_emoji():
    smile = found("smile")
    assert {"😄", "🙂", "😊"} <= set(smile)
    assert found("thumbs up")[0] == "👍"
    assert found("Thumbs UP")[0] == "👍"
    assert "🐱" in found("cat face")
    # Skin-tone variants are found, after the emoji itself.
    thumbs = found("thumbs up")
    assert "👍🏽" in thumbs
    assert thumbs.index("👍") < thumbs.index("👍🏽")


def test_chinese_names_find_emoji_without_spaces():
    laughing = found("笑")
    assert {"😂", "😄", "🤣", "😆"} <= set(laughing)
    assert "🐱" in found("猫")
    assert found("中国") == ["🇨🇳"]
    assert "👍🏽" in found("中等肤色 拇指")


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_an_empty_search_finds_nothing(query: str):
    assert found(query) == []


def test_an_overlong_search_uses_its_first_characters_only():
    assert found("smile" + " " * 1_000 + "zzz") == found("smile")
    assert found("x" * 100_000) == []
    assert len("smile".ljust(MAX_QUERY)) == MAX_QUERY


@pytest.mark.parametrize("forged", [None, 3, ["smile"], {"q": "smile"}, b"smile"])
def test_a_search_that_is_not_text_finds_nothing(forged: object):
    assert found(forged) == []


def test_a_search_returns_a_bounded_page():
    assert len(found("a")) == MAX_RESULTS
    assert len(search_emoji("e", limit=5)) == 5


def test_known_emoji_are_the_catalog_only():
    assert known_emoji("😀") is not None
    assert known_emoji("😀😀") is None
    assert known_emoji("x") is None
    assert known_emoji(None) is None
    assert all(known_emoji(char) for char in DEFAULT_RECENT)


def test_recent_emoji_are_kept_per_user_most_recent_first():
    stored = ""
    for char in ("😀", "👍", "😀"):
        stored = remember_recent(stored, 7, char)
    assert stored == "7:😀 👍"
    assert read_recent(stored, 7) == ["😀", "👍"]
    # Another user of the same browser sees none of them, and starts a list of their own.
    assert read_recent(stored, 8) == []
    assert remember_recent(stored, 8, "🎉") == "8:🎉"


def test_recent_emoji_are_capped():
    stored = ""
    for entry in group_emoji("food")[:40]:
        stored = remember_recent(stored, 7, entry.char)
    recent = read_recent(stored, 7)
    assert len(recent) == MAX_RECENT
    assert recent[0] == group_emoji("food")[39].char


@pytest.mark.parametrize(
    "forged",
    [
        None,
        ["7:😀"],
        "7",
        "x:😀",
        "07:😀",
        "7:" + "😀 " * 10_000,
    ],
)
def test_a_forged_recent_list_reads_as_empty(forged: object):
    assert read_recent(forged, 7) == []


def test_unknown_entries_in_a_recent_list_are_left_out():
    assert read_recent("7:😀 hello <b> 😀 👍 ", 7) == ["😀", "👍"]
    assert remember_recent("7:😀", 7, "<script>") == "7:😀"

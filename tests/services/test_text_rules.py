"""Visible-text and bidi rules for message bodies and nicknames (no database needed)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_app.services import text_rules, validation
from chat_app.services.errors import Refused
from chat_app.services.message_text import MAX_MESSAGE_LENGTH, clean_body
from chat_app.services.text_rules import PDF, PDI, balance_bidi, has_visible, is_balanced

LRE, RLE, LRO, RLO = "\u202a", "\u202b", "\u202d", "\u202e"
LRI, RLI, FSI = "\u2066", "\u2067", "\u2068"
LRM, RLM, ALM = "\u200e", "\u200f", "\u061c"
ZWSP, ZWNJ, ZWJ, WJ, BOM = "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"

INVISIBLE_ONLY = [
    ZWSP,
    ZWSP * 50,
    ZWJ + ZWNJ + WJ + BOM,
    RLO,
    RLO + PDF,
    LRI + PDI + LRM + RLM + ALM,
    "\u3164",  # Hangul filler (a letter by category)
    "\u115f\u1160",  # Hangul choseong / jungseong fillers
    "\uffa0",  # halfwidth Hangul filler
    "\u2800",  # braille pattern blank
    "\u034f",  # combining grapheme joiner
    "\u0301\u0301",  # lone combining accents
    "\ufe0f",  # a variation selector without its emoji
    "\U000e0041\U000e007f",  # tag characters
    "\u00ad",  # soft hyphen
    "\u180e",  # Mongolian vowel separator
    ZWSP + " \u3000 " + "\u3164\n" + RLM,
]

VISIBLE = [
    "a",
    "你好",
    "👍",
    "👨\u200d👩\u200d👧",  # family: zero-width joiners between the people
    "❤\ufe0f\u200d🔥",  # heart on fire: variation selector + joiner
    "🏳\ufe0f\u200d🌈",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, ZWNJ inside the word
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "\u0645\u0631\u062d\u0628\u0627" + RLM + "!",  # Arabic
    "e\u0301",  # e + combining acute
    "\U0001fae8",  # an emoji newer than Python 3.11's Unicode database ("Cn" here)
    ZWSP + "x" + ZWSP,
    "\ue000",  # private use: a glyph (or a box) is shown
    "-",
]


@pytest.mark.parametrize("text", INVISIBLE_ONLY)
def test_text_without_a_visible_character_is_refused(text):
    assert not has_visible(text)
    with pytest.raises(Refused, match=r"message_(invisible|empty)"):
        clean_body(text)


@pytest.mark.parametrize("text", ["\u200b", "\u3164", "\u2800", RLO + PDF, ZWJ * 3])
def test_invisible_only_is_its_own_error_code(text):
    with pytest.raises(Refused, match="message_invisible"):
        clean_body(text)


@pytest.mark.parametrize("text", VISIBLE)
def test_real_text_is_kept_exactly(text):
    assert has_visible(text)
    assert clean_body(text) == text


def test_error_code_is_translated_in_both_languages():
    from chat_app.i18n import EN, ZH

    assert EN["message_invisible"]
    assert ZH["message_invisible"]
    assert EN["message_invisible"] != ZH["message_invisible"]


def test_a_lone_surrogate_is_refused_not_stored():
    with pytest.raises(Refused, match="message_invalid_characters"):
        clean_body("a\ud800b")


def _refusal(text: str) -> str | None:
    """Why `clean_body` refuses `text` (None: it is accepted)."""
    try:
        clean_body(text)
    except Refused as error:
        return error.code
    return None


def test_exactly_controls_but_newline_and_tab_and_lone_surrogates_are_refused():
    # Every code point, against the rule as Unicode's categories state it (the check is
    # one regex search; the categories Cc and Cs are fixed by Unicode's stability policy).
    for code in range(0x110000):
        char = chr(code)
        # A carriage return is a line break: turned into a newline first.
        refused = unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\t\r"
        expected = "message_invalid_characters" if refused else None
        assert _refusal(f"a{char}b") == expected, hex(code)


def test_only_texts_without_bidi_controls_skip_the_balancing():
    controls = {PDF, PDI, LRE, RLE, LRO, RLO, LRI, RLI, FSI}
    for code in range(0x110000):
        char = chr(code)
        found = text_rules._BIDI_CONTROLS.search(f"a{char}b") is not None
        assert found == (char in controls), hex(code)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The classic file-name spoof: the override is closed where the line ends.
        (f"invoice{RLO}gpj.exe", f"invoice{RLO}gpj.exe{PDF}"),
        (f"{RLE}abc", f"{RLE}abc{PDF}"),
        (f"{LRO}a{RLO}b", f"{LRO}a{RLO}b{PDF}{PDF}"),
        (f"{RLI}abc", f"{RLI}abc{PDI}"),
        (f"{FSI}{LRI}x", f"{FSI}{LRI}x{PDI}{PDI}"),
        # Closers without an opener are dropped.
        (f"a{PDF}b", "ab"),
        (f"a{PDI}b", "ab"),
        (f"{PDF}{PDF}{PDI}x", "x"),
        # A PDF cannot close an embedding from outside an open isolate (UAX #9).
        (f"{RLE}a{LRI}b{PDF}c{PDI}d{PDF}", f"{RLE}a{LRI}bc{PDI}d{PDF}"),
        # A PDI closes the embeddings opened inside its isolate: written out.
        (f"{RLI}a{RLO}b{PDI}c", f"{RLI}a{RLO}b{PDF}{PDI}c"),
        # Each line is closed on its own: nothing leaks into the next line.
        (f"{RLO}one\ntwo", f"{RLO}one{PDF}\ntwo"),
        (f"{RLO}one\u2029two", f"{RLO}one{PDF}\u2029two"),
        (f"a\n{PDF}b\n{RLI}c", f"a\nb\n{RLI}c{PDI}"),
        # Balanced text is untouched, marks are never touched.
        (f"{RLE}a{PDF} {LRI}b{PDI}", f"{RLE}a{PDF} {LRI}b{PDI}"),
        (f"{LRM}a{RLM}b{ALM}", f"{LRM}a{RLM}b{ALM}"),
    ],
)
def test_bidi_controls_are_closed_on_their_line(text, expected):
    assert balance_bidi(text) == expected
    assert is_balanced(balance_bidi(text))
    assert clean_body(text) == expected


def test_nesting_is_bounded_so_balancing_never_blows_up():
    text = RLO * 1000 + "x"
    balanced = balance_bidi(text)
    assert balanced == RLO * text_rules.MAX_BIDI_DEPTH + "x" + PDF * text_rules.MAX_BIDI_DEPTH
    # A closer for a dropped opener is dropped with it, not used on an outer one.
    deep = RLO * 20 + "a" + PDF * 20 + "b"
    assert balance_bidi(deep) == RLO * 16 + "a" + PDF * 16 + "b"


def test_message_bodies_still_accept_the_longest_text():
    assert clean_body("x" * MAX_MESSAGE_LENGTH) == "x" * MAX_MESSAGE_LENGTH


@pytest.mark.parametrize("name", ["\u3164", "\u2800\u2800", "\u0301", "\u115f"])
def test_nickname_without_a_visible_character_is_refused(name):
    assert validation.check_nickname(validation.normalize_nickname(name)) == "nickname_invalid"


# Full-width "YOU", as a Chinese keyboard types it.
WIDE_YOU = "\uff39\uff2f\uff35"


@pytest.mark.parametrize(
    "name", ["You", " you ", WIDE_YOU, "你", "我", "Deleted user", "已注销用户"]
)
def test_the_words_the_app_puts_in_a_persons_place_are_no_nickname(name):
    # "You removed Bob", read by Carol, when Mallory named herself "You" and removed him.
    assert validation.check_nickname(validation.normalize_nickname(name)) == "nickname_reserved"


@pytest.mark.parametrize("name", ["Ann", "小明", "👍", "e\u0301", "Zoë", "Youssef", "你好"])
def test_ordinary_nicknames_are_still_accepted(name):
    assert validation.check_nickname(validation.normalize_nickname(name)) is None


BIDI = [LRE, RLE, LRO, RLO, PDF, LRI, RLI, FSI, PDI, LRM, RLM, ALM, ZWJ, ZWNJ]
# Text mixing ordinary characters, line breaks and bidi / zero-width controls.
mixed_text = st.lists(
    st.one_of(
        st.sampled_from(BIDI),
        st.sampled_from(["\n", "\u2029", " ", "a", "\u0628", "字"]),
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(mixed_text)
def test_property_output_never_leaves_an_override_open(text):
    balanced = balance_bidi(text)
    assert is_balanced(balanced)
    # Balancing adds or drops bidi controls only, and is stable.
    strip = {ord(c): None for c in (LRE, RLE, LRO, RLO, PDF, LRI, RLI, FSI, PDI)}
    assert balanced.translate(strip) == text.translate(strip)
    assert balance_bidi(balanced) == balanced


@settings(max_examples=400, deadline=None)
@given(mixed_text)
def test_property_any_text_with_a_visible_character_is_accepted(text):
    if has_visible(text) and len(text) <= MAX_MESSAGE_LENGTH:
        stored = clean_body(text)
        assert is_balanced(stored)
        assert has_visible(stored)
    else:
        with pytest.raises(Refused):
            clean_body(text)


BLANKS = sorted(set("".join(INVISIBLE_ONLY)) | set(BIDI) | {" ", "\t", "\n"})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(BLANKS), min_size=1, max_size=40).map("".join),
    st.sampled_from(VISIBLE),
    st.integers(min_value=0, max_value=40),
)
def test_property_blanks_are_refused_until_one_visible_character_joins(blank, visible, at):
    with pytest.raises(Refused):
        clean_body(blank)
    text = blank[:at] + visible + blank[at:]
    stored = clean_body(text)
    assert visible in stored.replace(PDF, "").replace(PDI, "") or has_visible(stored)
    assert is_balanced(stored)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ann", "Ann"),
        ("W" * 16, "W" * 16),
        ("W" * 17, "W" * 15 + "…"),
        ("王" * 32, "王" * 15 + "…"),
        # Not between a letter and its marks: "e" + acute at the cut goes whole.
        ("a" * 14 + "e\u0301" + "zz", "a" * 14 + "…"),
    ],
)
def test_a_long_name_is_cut_for_a_sentence(name, expected):
    assert text_rules.clip_name(name) == expected


@settings(max_examples=200)
@given(st.text(min_size=1, max_size=64))
def test_property_a_clipped_name_is_short_and_starts_the_name(name):
    clipped = text_rules.clip_name(name)
    assert len(clipped) <= text_rules.NAME_IN_SENTENCE
    assert clipped == name or (
        clipped.endswith(text_rules.ELLIPSIS) and name.startswith(clipped[:-1])
    )

"""The picker's emoji: every fully-qualified emoji of the `emoji` package, grouped, searchable.

Pure data and rules, a leaf (no reflex). Names come from `emoji.EMOJI_DATA`: the English
short name and its aliases (":smile:"), and the Chinese CLDR short name the package ships
in its "zh" data ("大笑").

Groups: Unicode files each emoji under one of nine groups in emoji-test.txt, but the
`emoji` package keeps no group, and no maintained package on PyPI ships that file. So the
emoji are grouped by the code point they start with (`_GROUP_RANGES`): Unicode allocates
emoji in runs of one kind (faces 1F600..1F637, animals 1F400..1F43F, transport
1F680..1F6A2...), and the table names each run after Unicode's group for it. A few emoji
land in a neighbouring group; a new code point falls into its run's group, or "symbols".

Skin-tone variants are found by search ("thumbs up medium skin tone", "中等肤色") but not
listed when browsing a group, which shows each emoji once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import emoji as emoji_package

# Browse order: Unicode's groups, without "component" (skin tones and hair alone).
GROUPS: tuple[str, ...] = (
    "smileys",
    "people",
    "nature",
    "food",
    "travel",
    "activities",
    "objects",
    "symbols",
    "flags",
)
# Longest search text used (the picker's input allows as much).
MAX_QUERY = 40
# Most results a search returns: the best matches, enough to scroll, small to send.
MAX_RESULTS = 120
SKIN_TONES = frozenset("\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")

# Each group's runs of code points (hex: one, or "first-last"), in the order the group
# shows them; an emoji belongs to the first run holding its first code point, and to
# "symbols" if none does. Continuation lines are indented.
_GROUP_RUNS = """
flags 1F1E6-1F1FF 1F3C1 1F38C 1F3F3-1F3F4 1F6A9
smileys 1F600-1F644 1F648-1F64A 1F910-1F917 1F920-1F925 1F927-1F92F 1F970-1F976
    1F978-1F97A 1F9D0 1FAE0-1FAE5 1FAE7-1FAEF 1F479-1F47B 1F47D-1F480 1F48B-1F48C
    1F493-1F49F 1F4A2 1F4A4-1F4A9 1F4AB-1F4AD 1F4AF 1F5A4 1F573 1F5E8 1F5EF 1F90D-1F90E
    1F9E1 1FA75-1FA77 2639-263A 2620 2763-2764
people 1F44A-1F450 1F590-1F596 270A-270D 261D 1F90C-1F90F 1F918-1F91F 1FAF0-1FAFF 1F64C
    1F64F 1F4AA 1F440-1F449 1F9B4-1F9B7 1F9BB 1F9BE-1F9BF 1F9E0 1FAC0-1FAC1 1FAE6
    1F463-1F478 1F47C 1F481-1F483 1F485-1F487 1F48F 1F491 1F574-1F575 1F57A 1F645-1F64E
    1F6A3 1F6B4-1F6B6 1F6C0 1F6CC 1F3C2-1F3C4 1F3C7 1F3CA-1F3CC 26F7 26F9 1F926
    1F930-1F93E 1F977 1F9B0-1F9B3 1F9B8-1F9B9 1F9CC-1F9CF 1F9D1-1F9DF 1FAC2-1FAC6
nature 1F400-1F43F 1F330-1F335 1F337-1F33C 1F33E-1F344 1F490 1F4AE 1F3F5 1F54A 1F577-1F578
    1F940 1F980-1F9AE 1FAB0-1FAB4 1FAB6-1FABF 1FACE-1FACF 2618
food 1F32D-1F32F 1F336 1F33D 1F345-1F37F 1F942-1F944 1F950-1F96F 1F9AA 1F9C0-1F9CB
    1FAD0-1FADE 1F3FA 2615
activities 1F380-1F391 1F396-1F397 1F39F 1F3A3 1F3A8 1F3AB 1F3AD-1F3B4 1F3BD-1F3C0
    1F3C5-1F3C6 1F3C8-1F3C9 1F3CF-1F3D3 1F3F8 1F945-1F94F 1F93F 1F9E7-1F9E9 1F9F5-1F9F6
    1F9F8 1FA80-1FA86 1FAA9 1F004 1F0CF 1F52E 1F579 1F5BC 1F6F7 265F-2666 26BD-26BE 26F3
    26F8
travel 1F300-1F32C 1F3A0-1F3A2 1F3AA 1F3CD-1F3CE 1F3D4-1F3F0 1F488 1F492 1F525 1F54B-1F54E
    1F550-1F567 1F5FA-1F5FE 1F680-1F6A2 1F6A4-1F6A8 1F6B2 1F6D1 1F6D5-1F6DF 1F6E3-1F6FF
    1F9BC-1F9BD 1F9ED 1F9F1 1FA90 1FAA8 1FAB5 1F570 231B 23F0-23F3 2600-2604 2614 26A1
    26C4-26C8 26E9-26FD 2708 2744 2B50
objects 1F451-1F462 1F489-1F48A 1F4A1 1F941 1F484 1F48D-1F48E 1F392-1F393 1F399-1F39E
    1F3A4-1F3A7 1F3A9 1F3AC 1F3B5-1F3BC 1F3EE 1F3F7 1F3F9 1F4B0 1F4B3-1F4FF 1F507-1F517
    1F526-1F52D 1F56F 1F576 1F587-1F5E3 1F5F3 1F5FF 1F6AA 1F6AC 1F6BD 1F6BF 1F6C1
    1F6CB-1F6D2 1F6E0-1F6E2 1F97B-1F97F 1F9AF 1F9BA 1F9E2-1F9E6 1F9EA-1F9EC 1F9EE-1F9F0
    1F9F2-1F9F4 1F9F7 1F9F9-1F9FF 1FA70-1FA74 1FA78-1FA7F 1FA87-1FA8F 1FA91-1FAA7
    1FAAA-1FAAF 231A 2328 260E 2692-2697 2699 26B0-26B1 26CF-26D3 2702 2709 270F-2712
"""


def _parse_runs(text: str) -> tuple[tuple[int, int, str], ...]:
    """`_GROUP_RUNS` as (first code point, last code point, group), in its order."""
    runs: list[tuple[int, int, str]] = []
    group = ""
    for line in text.splitlines():
        words = line.split()
        if words and not line.startswith(" "):
            group, words = words[0], words[1:]
            if group not in GROUPS:
                raise ValueError(f"unknown emoji group {group!r}")
        for word in words:
            first, _, last = word.partition("-")
            runs.append((int(first, 16), int(last or first, 16), group))
    return tuple(runs)


_GROUP_RANGES = _parse_runs(_GROUP_RUNS)


@dataclass(frozen=True)
class Emoji:
    """One emoji of the picker.

    Attributes:
        char: The emoji as text (fully qualified: with its variation selector).
        en: English name ("grinning face").
        zh: Chinese name ("嘿嘿").
        group: One of `GROUPS`.
        search_text: Lower-case English name, aliases and Chinese name, searched.
        toned: A skin-tone variant (searchable, not browsed).
    """

    char: str
    en: str
    zh: str
    group: str
    search_text: str
    toned: bool

    def name(self, language: str) -> str:
        """The name in `language` ("zh" or anything else for English)."""
        return self.zh if language == "zh" else self.en


def group_of(char: str) -> tuple[str, int]:
    """The picker group of an emoji, from the code point it starts with.

    Args:
        char: An emoji.

    Returns:
        One of `GROUPS`, and the emoji's run in `_GROUP_RANGES`: a group lists its runs in
        the table's order (faces before hearts, hands before persons).
    """
    point = ord(char[0])
    for run, (first, last, group) in enumerate(_GROUP_RANGES):
        if first <= point <= last:
            return group, run
    return "symbols", len(_GROUP_RANGES)


def _plain(short_name: str) -> str:
    """Turn ":thumbs_up:" into "thumbs up"."""
    return short_name.strip(":").replace("_", " ")


@functools.cache
def catalog() -> dict[str, Emoji]:
    """Every fully-qualified emoji, by its text, in browse order (group, then code point).

    Loaded once, on first use (the Chinese names take ~0.1 s to read).
    """
    emoji_package.config.load_language("zh")
    fully_qualified = emoji_package.STATUS["fully_qualified"]
    entries = []
    for char, data in emoji_package.EMOJI_DATA.items():
        if data["status"] != fully_qualified:
            continue
        en, zh = _plain(data["en"]), _plain(data.get("zh", data["en"]))
        aliases = " ".join(_plain(alias) for alias in data.get("alias", ()))
        search_text = f"{en} {aliases} {zh}".casefold()
        toned = not SKIN_TONES.isdisjoint(char)
        group, run = group_of(char)
        entries.append((run, Emoji(char, en, zh, group, search_text, toned)))
    entries.sort(
        key=lambda item: (GROUPS.index(item[1].group), item[0], list(map(ord, item[1].char)))
    )
    return {entry.char: entry for _run, entry in entries}


@functools.cache
def group_emoji(group: str) -> tuple[Emoji, ...]:
    """The emoji listed under `group` (no skin-tone variants); none for an unknown group."""
    return tuple(e for e in catalog().values() if e.group == group and not e.toned)


def search_emoji(query: object, limit: int = MAX_RESULTS) -> list[Emoji]:
    """Emoji whose English or Chinese names contain every word of `query`.

    Chinese has no spaces: "笑" matches inside "大笑" and "笑哭了". Emoji with a name word
    starting with the first search word come first, skin-tone variants last.

    Args:
        query: Text typed in the picker (untrusted: anything not text finds nothing;
            only its first `MAX_QUERY` characters are used).
        limit: Most results returned.

    Returns:
        Up to `limit` matching emoji, best first; none for an empty query.
    """
    if not isinstance(query, str):
        return []
    words = query[:MAX_QUERY].casefold().split()
    if not words:
        return []
    # "smile" also finds "smiling", "dance" "dancing": an English word loses its final e.
    stems = [w[:-1] if w.isascii() and len(w) > 3 and w[-1] == "e" else w for w in words]
    word_start = re.compile(r"(?:^|[\s(])" + re.escape(stems[0]))
    found = [e for e in catalog().values() if all(stem in e.search_text for stem in stems)]
    found.sort(key=lambda e: (e.toned, word_start.search(e.search_text) is None))
    return found[:limit]


def known_emoji(char: object) -> Emoji | None:
    """The catalog entry for `char`, or None when it is not an emoji of the picker."""
    return catalog().get(char) if isinstance(char, str) else None


# Recently used emoji, most recent first, kept in browser storage as "<user id>:<emoji> ..."
# (states/emoji_picker.py): at most this many.
MAX_RECENT = 24
# Longest stored list read: MAX_RECENT of the longest emoji (a family, 11 characters),
# each with its separator.
MAX_RECENT_STORED = MAX_RECENT * 12
# Shown in the first tab until the user has picked something (the usual favourites).
DEFAULT_RECENT: tuple[str, ...] = (
    "👍",
    "❤\ufe0f",
    "😂",
    "😊",
    "🙏",
    "😭",
    "🥰",
    "😘",
    "🎉",
    "🔥",
    "👌",
    "😅",
)


def read_recent(stored: object, user_id: int) -> list[str]:
    """The user's recently used emoji from a browser storage value (untrusted).

    Args:
        stored: The value as the browser sent it.
        user_id: The signed-in user: another user's list (a shared browser) is not theirs.

    Returns:
        Known emoji only, each once, at most `MAX_RECENT`, most recent first.
    """
    if not isinstance(stored, str):
        return []
    owner, _, listed = stored.partition(":")
    if owner != str(user_id) or len(listed) > MAX_RECENT_STORED:
        return []
    recent: list[str] = []
    for char in listed.split(" "):
        if known_emoji(char) is not None and char not in recent:
            recent.append(char)
    return recent[:MAX_RECENT]


def remember_recent(stored: object, user_id: int, char: str) -> str:
    """The storage value with `char` moved to the front (unchanged if it is no emoji).

    Args:
        stored: The current value (untrusted).
        user_id: The signed-in user.
        char: The emoji just picked.

    Returns:
        "<user id>:<emoji> <emoji> ..." with at most `MAX_RECENT` emoji.
    """
    recent = read_recent(stored, user_id)
    if known_emoji(char) is not None:
        recent = [char, *(other for other in recent if other != char)]
    return f"{user_id}:{' '.join(recent[:MAX_RECENT])}"

"""The emoji offered by the picker: groups (an i18n key each) of (emoji, English name).

Pure data, a leaf.
"""

from __future__ import annotations

EMOJI_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "emoji_group_smileys",
        (
            ("😀", "grinning"),
            ("😃", "smiley"),
            ("😄", "smile"),
            ("😁", "grin"),
            ("😆", "laughing"),
            ("😅", "sweat smile"),
            ("😂", "joy tears laughing"),
            ("🙂", "slight smile"),
            ("😉", "wink"),
            ("😊", "blush"),
            ("😍", "heart eyes love"),
            ("😘", "kiss"),
            ("😋", "yum"),
            ("😎", "cool sunglasses"),
            ("🤔", "thinking"),
            ("😐", "neutral"),
            ("😴", "sleeping"),
            ("😢", "cry sad"),
            ("😭", "sob"),
            ("😡", "angry"),
            ("😱", "scream"),
            ("🥳", "party"),
            ("😇", "innocent halo"),
            ("🤗", "hug"),
        ),
    ),
    (
        "emoji_group_gestures",
        (
            ("👍", "thumbs up yes"),
            ("👎", "thumbs down no"),
            ("👌", "ok"),
            ("👏", "clap"),
            ("🙏", "pray thanks"),
            ("👋", "wave hello bye"),
            ("💪", "muscle strong"),
            ("🤝", "handshake"),
            ("✌️", "victory peace"),
            ("🙌", "raised hands"),
        ),
    ),
    (
        "emoji_group_hearts",
        (
            ("❤️", "red heart love"),
            ("🧡", "orange heart"),
            ("💛", "yellow heart"),
            ("💚", "green heart"),
            ("💙", "blue heart"),
            ("💜", "purple heart"),
            ("💔", "broken heart"),
            ("💯", "hundred"),
        ),
    ),
    (
        "emoji_group_things",
        (
            ("🎉", "tada celebration"),
            ("🎂", "birthday cake"),
            ("🎁", "gift present"),
            ("☕", "coffee"),
            ("🍵", "tea"),
            ("🍜", "noodles"),
            ("🍚", "rice"),
            ("🍎", "apple"),
            ("⚽", "soccer football"),
            ("📚", "books study"),
            ("✏️", "pencil homework"),
            ("💡", "idea bulb"),
            ("🔥", "fire"),
            ("⭐", "star"),
            ("☀️", "sun"),
            ("🌙", "moon night"),
            ("🌧️", "rain"),
            ("🏠", "home house"),
            ("🚗", "car"),
            ("✈️", "airplane travel"),
        ),
    ),
)


def search_emoji(query: str) -> list[str]:
    """Emoji whose name contains every word of `query` (all of them for an empty query).

    Args:
        query: Words typed in the picker's search box.

    Returns:
        Matching emoji in picker order.
    """
    words = query.lower().split()
    return [
        emoji
        for _group, entries in EMOJI_GROUPS
        for emoji, name in entries
        if all(word in name for word in words)
    ]

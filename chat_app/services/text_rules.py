"""What user text must look like on screen: something visible, no leaking direction changes.

Two rules, shared by every place that stores text other users will see:

- `has_visible`: a text made only of spaces, zero-width characters, fillers or lone
  combining marks shows as an empty bubble or a blank name; it is refused.
- `balance_bidi`: an unclosed right-to-left override (U+202E) flips everything after it,
  so "gpj.exe" reads as "exe.jpg". Each line (a line break ends a bidi paragraph) gets the
  closers its openers need, and closers without an opener are dropped.

What real text needs is kept as typed: zero-width joiners in emoji sequences (👨‍👩‍👧,
❤️‍🔥), zero-width non-joiners in Persian, left-to-right / right-to-left / Arabic letter
marks, and balanced embeddings and isolates.
"""

from __future__ import annotations

import re
import unicodedata

# Categories that never show a glyph by themselves: controls, format characters, lone
# surrogates, separators, and combining marks (they need a base character to sit on).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt) plus the
# braille blank: characters that render as nothing even though their category is a
# letter or symbol (the Hangul fillers are "Lo"), or unassigned in Python's database.
_BLANK_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)

# Explicit bidi formatting characters (UAX #9): openers and the closer each one needs.
PDF = "\u202c"  # POP DIRECTIONAL FORMATTING: closes LRE, RLE, LRO, RLO
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE: closes LRI, RLI, FSI
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI
# All of them and both closers: U+202A-202E and U+2066-2069. Most text has none, and one
# search finds that where a test per character took 0.4 ms for 4,000 characters.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Deeper nesting than real text ever needs; openers past it are dropped with their closers
# (UAX #9 itself stops at 125 levels), so balancing never blows a text up.
MAX_BIDI_DEPTH = 16
# Bidi paragraph separators (class B) that can reach here: LF and U+2029 (CR is turned
# into LF first; the other B characters are controls, refused before).
_PARAGRAPHS = re.compile("(\n|\u2029)")


def is_visible(char: str) -> bool:
    """Whether one character shows something on screen by itself.

    Unassigned code points count as visible: Python's Unicode database lags behind the
    fonts (an emoji newer than it is "Cn" here and a glyph in the browser).

    Args:
        char: A single character.

    Returns:
        True for letters, digits, punctuation, symbols and emoji.
    """
    if char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return False
    code = ord(char)
    return not any(low <= code <= high for low, high in _BLANK_RANGES)


def has_visible(text: str) -> bool:
    """Whether a text has at least one character that shows on screen.

    Args:
        text: Any text.

    Returns:
        False for empty text and text made only of spaces, zero-width characters,
        bidi controls, fillers or combining marks.
    """
    return any(is_visible(char) for char in text)


def balance_bidi(text: str) -> str:
    """Close every bidi embedding, override and isolate on the line that opens it.

    A line break (LF or U+2029) ends a bidi paragraph (UAX #9 rule P1), so nothing a line opens may
    reach the next line or the text after the message. Within a line: a PDF closes the
    innermost open embedding or override and is dropped when there is none, or when an
    isolate opened after it is still open; a PDI closes the innermost open isolate and
    whatever was embedded inside it (the closers are written out), and is dropped when no
    isolate is open. Openers nested deeper than `MAX_BIDI_DEPTH` are dropped together
    with their closers.

    Args:
        text: Text with LF line breaks.

    Returns:
        The text where every line's bidi controls are properly nested and closed; text
        without bidi controls is returned unchanged.
    """
    if not _BIDI_CONTROLS.search(text):
        return text
    parts = _PARAGRAPHS.split(text)
    # Odd indexes hold the separators themselves, kept as they are.
    return "".join(part if index % 2 else _balance_line(part) for index, part in enumerate(parts))


def _balance_line(line: str) -> str:
    out: list[str] = []
    # Each open opener: (its closer, whether it was kept in the output).
    stack: list[tuple[str, bool]] = []
    for char in line:
        if char in _EMBEDDINGS or char in _ISOLATES:
            kept = sum(1 for _, was_kept in stack if was_kept) < MAX_BIDI_DEPTH
            stack.append((PDF if char in _EMBEDDINGS else PDI, kept))
            if kept:
                out.append(char)
        elif char == PDF:
            # Pops only when the innermost opener is an embedding or override.
            if stack and stack[-1][0] == PDF and stack.pop()[1]:
                out.append(char)
        elif char == PDI:
            if any(closer == PDI for closer, _ in stack):
                while True:
                    closer, kept = stack.pop()
                    if kept:
                        out.append(closer)
                    if closer == PDI:
                        break
        else:
            out.append(char)
    out.extend(closer for closer, kept in reversed(stack) if kept)
    return "".join(out)


def is_balanced(text: str) -> bool:
    """Whether every line of `text` closes what it opens, in order (the invariant above).

    Args:
        text: Any text.

    Returns:
        True when no line has an unclosed or unmatched embedding, override or isolate.
    """
    for line in _PARAGRAPHS.split(text):
        stack: list[str] = []
        for char in line:
            if char in _EMBEDDINGS:
                stack.append(PDF)
            elif char in _ISOLATES:
                stack.append(PDI)
            elif char in (PDF, PDI) and (not stack or stack.pop() != char):
                return False
        if stack:
            return False
    return True


# How many characters of a name a sentence shows (toasts): 16 wide letters fit a
# 320 px phone's toast beside the words around them.
NAME_IN_SENTENCE = 16
ELLIPSIS = "\u2026"


def clip_name(name: str, limit: int | None = None) -> str:
    """`name` cut to at most `limit` characters, the last an ellipsis, for a sentence.

    A toast cannot cut a name with CSS without cutting the words after it too ("WWW…"
    instead of "WWW… is now your friend."), so the name is cut before it goes in. Never
    between a letter and its combining marks (they would sit on the ellipsis).

    Args:
        name: A nickname.
        limit: The most characters to keep, counting the ellipsis (at least 2); by
            default `NAME_IN_SENTENCE`, read at each call.

    Returns:
        The name itself when short enough, else its start and an ellipsis.
    """
    limit = NAME_IN_SENTENCE if limit is None else limit
    if len(name) <= limit:
        return name
    end = max(limit - 1, 1)
    while end > 1 and unicodedata.category(name[end]).startswith("M"):
        end -= 1
    return name[:end] + ELLIPSIS

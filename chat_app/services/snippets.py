"""The line a search result shows: the text around the words found, each occurrence marked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The text shown starts this many characters before the first word found...
BEFORE_MATCH = 24
# ...unless the first word found is this near the start (in the width of Latin letters; a
# Chinese character is two): then the line starts with the message, as it was written.
# The result's row shows two lines, so a word this near the start is on them.
LEAD_KEPT = 48
# A cut moves at most this many characters to fall between two words, not inside one
# (text with no spaces, such as Chinese, is cut where it is).
WORD_SNAP = 12
# The line is at most this long (then cut with "…").
SNIPPET_MAX = 120
_SPACES = re.compile(r"\s+")
ELLIPSIS = "…"


@dataclass(frozen=True)
class SnippetPart:
    """A run of a result's line: one of the words found when `marked`, else the text around."""

    text: str
    marked: bool = False


def snippet(body: str, words: tuple[str, ...]) -> tuple[SnippetPart, ...]:
    """The part of `body` from a little before the first word found, every word marked.

    Args:
        body: The message's text, or a file's name.
        words: The words searched for (case aside).

    Returns:
        One line (line breaks as spaces) of at most SNIPPET_MAX characters, cut with "…"
        where text was left out, as runs of plain and marked text.
    """
    line = _SPACES.sub(" ", body).strip()
    # The longest first: where one word holds another, the whole of it is marked.
    pattern = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    found = list(re.finditer(pattern, line, re.IGNORECASE)) if pattern else []
    start = _start(line, found[0].start()) if found else 0
    end = _end(line, start, found[0].end() if found else start)
    runs: list[tuple[int, int, bool]] = []
    position = start
    for match in found:
        if match.start() >= end:
            break
        if match.start() > position:
            runs.append((position, match.start(), False))
        position = min(match.end(), end)
        runs.append((match.start(), position, True))
    if position < end:
        runs.append((position, end, False))
    parts = [SnippetPart(line[first:last], marked) for first, last, marked in runs]
    if start > 0:
        parts.insert(0, SnippetPart(ELLIPSIS))
    if end < len(line):
        parts.append(SnippetPart(ELLIPSIS))
    return tuple(_joined(parts))


def _start(line: str, first: int) -> int:
    """Where the line shown starts.

    The message's start when the first word found is near it, else a little before that
    word, between two words where there is a space.
    """
    if _width(line[:first]) <= LEAD_KEPT:
        return 0
    start = first - BEFORE_MATCH
    space = line.find(" ", start, min(start + WORD_SNAP, first))
    return space + 1 if space != -1 else start


def _end(line: str, start: int, first_end: int) -> int:
    """Where the line shown ends: SNIPPET_MAX characters on, between two words if it can."""
    end = start + SNIPPET_MAX
    if end >= len(line) or line[end] == " ":
        return min(end, len(line))
    space = line.rfind(" ", max(end - WORD_SNAP, first_end), end)
    return space if space != -1 else end


def _width(text: str) -> int:
    """How wide a text is in Latin letters (a wide character, e.g. Chinese, is two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _joined(parts: list[SnippetPart]) -> list[SnippetPart]:
    """Neighbouring runs of the same kind as one (fewer elements on the page)."""
    joined: list[SnippetPart] = []
    for part in parts:
        if joined and joined[-1].marked == part.marked:
            joined[-1] = SnippetPart(joined[-1].text + part.text, part.marked)
        else:
            joined.append(part)
    return joined

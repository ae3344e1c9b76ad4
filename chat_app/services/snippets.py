"""The line a search result shows: the text around the words found, each occurrence marked."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The text shown starts this many characters before the first word found...
BEFORE_MATCH = 24
# ...and is at most this long (then cut with "…").
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
    start = max(found[0].start() - BEFORE_MATCH, 0) if found else 0
    end = min(len(line), start + SNIPPET_MAX)
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


def _joined(parts: list[SnippetPart]) -> list[SnippetPart]:
    """Neighbouring runs of the same kind as one (fewer elements on the page)."""
    joined: list[SnippetPart] = []
    for part in parts:
        if joined and joined[-1].marked == part.marked:
            joined[-1] = SnippetPart(joined[-1].text + part.text, part.marked)
        else:
            joined.append(part)
    return joined

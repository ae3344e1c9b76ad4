"""The open conversation's messages that mention the tab's user: highlighted in the list.

A mixin of the conversation state. Only the mentioned user's tabs ever hold a seq here, so
what everyone else is pushed for a message stays the same.
"""

from __future__ import annotations

import reflex as rx

from chat_app.services import history
from chat_app.services.views import HistoryPage
from chat_app.states.mention_notices import highlighted_seqs

# The open conversation's mentions of the reader a tab highlights at most (one window).
MENTIONED_MAX = 3 * history.PAGE_SIZE


class MentionMarks(rx.State, mixin=True):
    """The seqs of the open conversation's messages that mention this tab's user."""

    mentioned_seqs: rx.Field[list[int]] = rx.field(default_factory=list)

    def _forget_mentions(self) -> None:
        if self.mentioned_seqs:
            self.mentioned_seqs = []

    def _mark_mention(self, seq: int) -> None:
        """A message mentioning the reader arrived in the open conversation."""
        self.mentioned_seqs = [*self.mentioned_seqs[1 - MENTIONED_MAX :], seq]

    async def _show_mentions(self, viewer_id: int, page: HistoryPage) -> None:
        """The page just opened: its messages that mention the reader (from Mention rows)."""
        if highlighted := await highlighted_seqs(viewer_id, page):
            self.mentioned_seqs = highlighted

    async def _show_paged_mentions(
        self, viewer_id: int, page: HistoryPage, newer: bool = False
    ) -> None:
        """A page was loaded, older (prepended) or `newer` (appended): its mentions too."""
        if highlighted := await highlighted_seqs(viewer_id, page):
            # Those at the page's end are kept: the window being read is the one just loaded
            # (a newer page's highlights went once the oldest 150 filled the list).
            shown = sorted({*highlighted, *self.mentioned_seqs})
            self.mentioned_seqs = shown[-MENTIONED_MAX:] if newer else shown[:MENTIONED_MAX]

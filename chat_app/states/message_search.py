"""Message search in the Chats tab: what the tab's user typed, and the messages found.

The results replace the chat list while they are shown; a result opens its conversation at
that message (`ConversationState.open_at_message`). The search runs on a thread, outside
the tab's lock (a background event): messages keep arriving in the tab meanwhile, and a
newer search or "Close" wins over an older one still running.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import reflex as rx

from chat_app.i18n import text
from chat_app.services import search
from chat_app.services.errors import DomainError, NotFound, RateLimited, ValidationFailed
from chat_app.services.search import SearchHit, SearchResults
from chat_app.services.sessions import SessionKey
from chat_app.services.snippets import SnippetPart, snippet
from chat_app.states.friends import FriendsState
from chat_app.states.links import picture_link
from chat_app.states.safe_text import empty_field, toast_error
from chat_app.states.service_call import call_service, call_slow_service, form_text
from chat_app.states.ui import language_of
from chat_app.states.viewer import signed_in, viewer_id_of

# The search field's element id (components/message_search.py): "Close" empties it.
SEARCH_FIELD_ID = "message-search"
QUERY_MAX = search.QUERY_MAX


@dataclass(frozen=True)
class FoundRow:
    """One result as the list shows it (services/search.py `SearchHit`, links signed).

    Attributes:
        message_id: The message.
        conversation_id: Where it is.
        seq: Its place there.
        kind: "direct" or "group".
        title: The group's name or the other person's nickname ("": a deleted account).
        avatar_url: The picture, signed for the viewer ("": initials).
        sender: Groups only: who wrote it ("" in a direct chat, and for the viewer).
        mine: The viewer wrote it.
        file: The match is a file's name.
        sent_at: When (ISO, UTC).
        parts: The text around the words found, each occurrence marked.
    """

    message_id: int
    conversation_id: int
    seq: int
    kind: str
    title: str
    avatar_url: str
    sender: str
    mine: bool
    file: bool
    sent_at: str
    parts: tuple[SnippetPart, ...]


class MessageSearchState(rx.State):
    """The tab's message search."""

    # The words the results are for ("": no search shown).
    searched: str = ""
    found: list[FoundRow] = []
    searching: bool = False
    more: bool = False
    # Short words only: the newest messages were searched, not all (services/search.py).
    shallow: bool = False
    error: str = ""
    # Searching one conversation (0: every one) and its name, as the chip above says.
    scope_id: int = 0
    scope_title: str = ""
    _user_id: int | None = None
    _link_key: SessionKey | None = None
    # Each search and each close counts one: a search's answer is shown only if it is
    # still the latest thing asked.
    _round: int = 0

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        """Told by the session guard who the tab's user is (states/viewer.py)."""
        if self._user_id != user_id:
            self._user_id = user_id
            self._show_nothing()
            self._scope(0, "")
        if self._link_key != link_key:
            self._link_key = link_key

    def _show_nothing(self) -> None:
        self._round += 1
        self.searched = self.error = ""
        self.found = []
        self.searching = self.more = self.shallow = False

    def _drop(self, conversation_id: int, seq: int) -> None:
        """Take a message out of the results shown: deleted for everyone, or for this user."""
        kept = [r for r in self.found if (r.conversation_id, r.seq) != (conversation_id, seq)]
        if len(kept) != len(self.found):
            self.found = kept

    def _edited(self, conversation_id: int, seq: int, body: str) -> None:
        """Show a found message's new text (its sender edited it), the words marked again.

        A text that no longer holds them stays, unmarked: the results show what the
        messages say now, until the next search.
        """
        place = (conversation_id, seq)
        if not any((r.conversation_id, r.seq) == place for r in self.found):
            return
        parts = snippet(body, tuple(self.searched.split()))
        self.found = [
            replace(r, parts=parts) if (r.conversation_id, r.seq) == place else r
            for r in self.found
        ]

    def _scope(self, conversation_id: int, title: str) -> None:
        if self.scope_id != conversation_id:
            self.scope_id, self.scope_title = conversation_id, title

    async def _load(self) -> None:
        """On (re)load of the page: another user of the tab sees none of the last one's."""
        await viewer_id_of(self)

    def _row(self, hit: SearchHit) -> FoundRow:
        return FoundRow(
            message_id=hit.message_id,
            conversation_id=hit.conversation_id,
            seq=hit.seq,
            kind=hit.kind,
            title=hit.title,
            avatar_url=picture_link(self._link_key, hit.avatar_file_id),
            sender="" if hit.mine or hit.kind != "group" else hit.sender_name,
            mine=hit.mine,
            file=hit.message_kind != "text",
            sent_at=hit.sent_at,
            parts=hit.parts,
        )

    @rx.event(background=True)
    async def search(self, form_data: dict):
        """Search for the submitted words (a blank query closes the results)."""
        await self._run(form_text(form_data, "query"), None)

    @rx.event
    @signed_in
    async def search_in(self, viewer_id: int, conversation_id: int):
        """Search one conversation (its header's search button): the field gets the focus."""
        try:
            title = await call_service(
                search.scope_title, viewer_id=viewer_id, conversation_id=conversation_id
            )
        except NotFound:
            return toast_error(text("not_found", await language_of(self)))
        self._show_nothing()
        self._scope(conversation_id, title)
        friends = await self.get_state(FriendsState)
        if friends.pane_tab != "chats":
            friends.pane_tab = "chats"
        return rx.set_focus(SEARCH_FIELD_ID)

    @rx.event(background=True)
    async def search_everywhere(self):
        """Leave the conversation searched: the same words in every conversation."""
        async with self:
            self._scope(0, "")
            query = self.searched
        await self._run(query, None)

    @rx.event(background=True)
    async def show_more(self):
        """Add the next page of results below the last one shown."""
        async with self:
            if not self.more or not self.found or self.searching:
                return
            query, before = self.searched, self.found[-1].message_id
        await self._run(query, before)

    async def _run(self, query: str, before: int | None) -> None:
        async with self:
            viewer_id = await viewer_id_of(self)
            if viewer_id is None:
                return
            language = await language_of(self)
            if not query.strip():
                self._show_nothing()
                return
            try:
                search.PACE.check(viewer_id)
            except RateLimited:
                self.error = text("search_too_often", language)
                return
            self._round += 1
            asked, scope = self._round, self.scope_id or None
            self.searching, self.error = True, ""
        results: SearchResults | None = None
        error = text("error", language)  # unless the search answers
        try:
            results = await call_slow_service(
                search.search_messages,
                viewer_id=viewer_id,
                query=query,
                before_id=before,
                conversation_id=scope,
            )
            error = ""
        except ValidationFailed as refused:
            code = refused.field_errors["query"]
            error = text(code, language, most=search.QUERY_MAX, words=search.WORDS_MAX)
        except DomainError as refused:
            error = text(refused.code, language)
        finally:
            # Also after an unexpected failure (logged): never "Searching…" for ever.
            async with self:
                if self._round == asked:  # else closed, or searched again meanwhile
                    self.searching = False
                    self._show(results, before, error)

    def _show(self, results: SearchResults | None, before: int | None, error: str) -> None:
        if results is None:
            self.error = error
            return
        rows = [self._row(hit) for hit in results.hits]
        self.found = [*self.found, *rows] if before is not None else rows
        self.searched = " ".join(results.words)
        self.more, self.shallow = results.more, results.shallow

    @rx.event
    async def close(self):
        """Back to the chat list: the results and the scope go, and the field is emptied."""
        self._show_nothing()
        self._scope(0, "")
        return empty_field(SEARCH_FIELD_ID)

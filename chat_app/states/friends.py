"""Friend pane of one tab: friends, requests, blocked users, past conversations, search.

Each handler runs for the tab's signed-in user (`@signed_in`), calls one friends service,
shows the result here and pushes the change to the other tabs of every user it affects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import reflex as rx

from chat_app.i18n import in_every_language, text
from chat_app.realtime.push import notify_users
from chat_app.services import friend_pane, friends
from chat_app.services.errors import DomainError, NotFound
from chat_app.services.people_views import ContactView, FriendsChange, FriendsSnapshot, Notice
from chat_app.services.sessions import SessionKey
from chat_app.services.text_rules import clip_name
from chat_app.states.chat_list import ChatListState
from chat_app.states.chime import ChimeRound
from chat_app.states.conversation import ConversationState
from chat_app.states.group_timeline import blocks_changed
from chat_app.states.links import with_avatar_link
from chat_app.states.presence import PresenceState
from chat_app.states.safe_text import empty_field, toast_error, toast_info
from chat_app.states.service_call import call_service, form_text
from chat_app.states.tab_identity import tab_token
from chat_app.states.ui import UiState, language_of
from chat_app.states.viewer import signed_in, viewer_id_of

MAX_QUERY_LENGTH = 64
# The search field's element id (components/friend_search.py): closing the result empties it.
SEARCH_FIELD_ID = "friend-search"
# The Requests tab (components/friend_pane.py): where the focus goes from an answered request.
REQUESTS_TAB_ID = "tab-requests"


def _snapshot_setter(
    viewer_id: int, notices: list[Notice]
) -> Callable[[FriendsState], Awaitable[list[Any]]]:
    """The push that shows the user's pane (and toasts for `notices`) in one of their tabs."""
    return _SnapshotPush(viewer_id, tuple(notices))


class _SnapshotPush:
    """Shows a user's pane in each of their tabs, reading it once for all of them.

    The pane is read by the first tab the push reaches: a user with no open tab costs no
    read. An object, not a closure, so it can travel to the worker holding a tab's socket
    (realtime/push_relay.py); there it starts afresh and reads the pane once again.
    """

    def __init__(self, viewer_id: int, notices: tuple[Notice, ...]) -> None:
        self._viewer_id = viewer_id
        self._notices = notices
        self._snapshot: asyncio.Future[FriendsSnapshot] | None = None
        # A new request sounds in one tab of its addressee (states/chime.py).
        asked = any(notice.kind == "notice_request_received" for notice in notices)
        self._chime = ChimeRound() if asked else None

    def __reduce__(self) -> tuple[type[_SnapshotPush], tuple[int, tuple[Notice, ...]]]:
        return (_SnapshotPush, (self._viewer_id, self._notices))

    async def __call__(self, state: FriendsState) -> list[Any]:
        viewer_id = self._viewer_id
        if state._user_id != viewer_id:
            return []
        if self._snapshot is None:
            self._snapshot = asyncio.ensure_future(
                call_service(friend_pane.snapshot, user_id=viewer_id)
            )
        await state._show(await self._snapshot)
        language = await language_of(state)
        toasts = [
            toast_info(text(n.kind, language, nickname=clip_name(n.nickname)))
            for n in self._notices
        ]
        chime = self._chime
        sound = await chime.events_for(state, viewer_id) if chime is not None else []
        # A new or removed friend changes whose presence this tab may show.
        return [*toasts, *sound, PresenceState.load]


class FriendsState(rx.State):
    """The friend pane's data for the logged-in user of this tab.

    `friends` keeps the order it was read in; a message since moves its row up on the page
    by CSS order (`ListOrderState`), without re-sending the list. The Chats tab's rows are
    read whenever this pane is (`ChatListState`).
    """

    friends: list[ContactView] = []
    incoming: list[ContactView] = []
    outgoing: list[ContactView] = []
    blocked: list[ContactView] = []
    # Conversations with people who are no longer friends (bounded: friend_pane.PAST_MAX).
    past: list[ContactView] = []
    search_query: str = ""
    search_result: ContactView | None = None
    search_relation: str = ""
    # In each language (`ui.said`): a switch of language translates it at once.
    search_message: dict[str, str] = {}
    pane_tab: str = "chats"
    # A remove or block waiting for the user's confirmation.
    confirm_kind: str = ""
    confirm_user_id: int = 0
    confirm_nickname: str = ""
    _user_id: int | None = None
    _link_key: SessionKey | None = None  # the login session this tab signs links for

    @rx.var
    def incoming_count(self) -> int:
        """How many requests wait for an answer (the badge)."""
        return len(self.incoming)

    # ----- private helpers -----

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        """Told by the session guard who the tab's user is (states/viewer.py)."""
        if user_id is None or self._user_id != user_id:
            self._clear()
            self._user_id = user_id
        if self._link_key != link_key:  # assigned, the state is saved again (auth.py)
            self._link_key = link_key

    def _clear(self) -> None:
        self._user_id = self._link_key = None
        self.friends, self.incoming, self.outgoing, self.blocked = [], [], [], []
        self.past = []
        self.search_query, self.search_message, self.search_relation = "", {}, ""
        self.search_result = None
        self._reset_confirm()

    async def _show(self, snapshot: FriendsSnapshot) -> None:
        # Assigning re-sends a whole list: only replace the lists that changed.
        for name in ("friends", "incoming", "outgoing", "blocked", "past"):
            new = [with_avatar_link(c, self._link_key) for c in getattr(snapshot, name)]
            if getattr(self, name) != new:
                setattr(self, name, new)
        # The chat list is read with it, both in the database's order: no row is moved up
        # any more (they share the moves, ListOrderState).
        await (await self.get_state(ChatListState))._read(self._user_id, self._link_key)
        if self.search_result is not None and self._user_id is not None:
            relation, request_id = snapshot.relation_to(self.search_result.user_id, self._user_id)
            # Only what changed: an assigned var is re-sent on every refresh.
            if self.search_relation != relation:
                self.search_relation = relation
            if self.search_result.request_id != request_id:
                self.search_result = replace(self.search_result, request_id=request_id)

    async def _refresh(self, viewer_id: int) -> None:
        await self._show(await call_service(friend_pane.snapshot, user_id=viewer_id))

    async def _publish(self, change: FriendsChange, to_own_tab: bool = False) -> None:
        """Push the change to every other tab of every affected user, with their toasts.

        Args:
            change: What changed, for whom.
            to_own_tab: Push to this tab too, instead of the handler refreshing it: an
                upload handler's own update travels in its HTTP response, which the browser
                may apply after newer socket updates.
        """
        own_tab = "" if to_own_tab else tab_token(self)
        for user_id in change.affected_user_ids:
            # Each user's tabs get that user's own pane and notices.
            notices = [notice for notice in change.notices if notice.user_id == user_id]
            setter = _snapshot_setter(user_id, notices)
            await notify_users([user_id], FriendsState, setter, except_tab=own_tab)

    async def _act(
        self,
        viewer_id: int,
        function: Callable[..., FriendsChange],
        blocks: bool = False,
        focus_to: str = "",
        **kwargs: Any,
    ):
        # The pressed button goes with its row (or turns into "Sent"): the focus would fall
        # to the page's body, and a keyboard user start again from the top.
        focus = await self._focus(focus_to)
        try:
            change = await call_service(function, viewer_id=viewer_id, **kwargs)
        except DomainError as error:
            await self._refresh(viewer_id)
            return [toast_error(text(error.code, await language_of(self))), *focus]
        await self._refresh(viewer_id)
        await self._publish(change)
        if blocks:
            # Every tab of both, this one too: a group they share folds their messages
            # and drops the other from its typing line.
            pair = change.affected_user_ids
            await notify_users(pair, ConversationState, blocks_changed(pair))
        return [PresenceState.load, *focus]

    async def _focus(self, control_id: str) -> list[rx.event.EventSpec]:
        """Focus `control_id`, but a text field not on a touch screen (no keyboard unasked)."""
        if not control_id:
            return []
        if control_id == SEARCH_FIELD_ID and (await self.get_state(UiState)).touch_screen:
            return []
        return [rx.set_focus(control_id)]

    # ----- handlers -----

    @rx.event
    async def load(self):
        """On page load (and after every reconnect): fetch the pane from the database."""
        await self._load()

    async def _load(self) -> None:
        # No redirect here: the page's own login check sends an anonymous tab to /auth.
        viewer_id = await viewer_id_of(self)
        if viewer_id is not None:
            await self._refresh(viewer_id)

    @rx.event
    def set_pane_tab(self, tab: str):
        """Switch between the chats, friends and requests lists."""
        self.pane_tab = tab if tab in ("chats", "friends", "requests") else "chats"

    @rx.event
    @signed_in
    async def search(self, viewer_id: int, form_data: dict):
        """Look a user up by exact username."""
        query = form_text(form_data, "username").strip()[:MAX_QUERY_LENGTH]
        self.search_query = query
        self.search_result, self.search_relation, self.search_message = None, "", {}
        if not query:
            return None
        try:
            contact, relation = await call_service(
                friend_pane.search, viewer_id=viewer_id, username=query
            )
        except NotFound:
            self.search_message = in_every_language("search_no_match")
            return None
        except DomainError as error:  # over the hourly search limit
            self.search_message = in_every_language(error.code)
            return None
        self.search_result = with_avatar_link(contact, self._link_key)
        self.search_relation = relation
        return None

    @rx.event
    def clear_search(self):
        """Close the search result, and empty the search field (the page keeps its text)."""
        self.search_query, self.search_message, self.search_relation = "", {}, ""
        self.search_result = None
        return empty_field(SEARCH_FIELD_ID)

    @rx.event
    @signed_in
    async def send_request(self, viewer_id: int, user_id: int):
        """Ask a user to become friends."""
        return await self._act(
            viewer_id, friends.send_request, focus_to=SEARCH_FIELD_ID, target_id=user_id
        )

    @rx.event
    @signed_in
    async def accept(self, viewer_id: int, request_id: int):
        """Accept a request addressed to this user."""
        return await self._act(
            viewer_id, friends.accept_request, focus_to=REQUESTS_TAB_ID, request_id=request_id
        )

    @rx.event
    @signed_in
    async def reject(self, viewer_id: int, request_id: int):
        """Decline a request addressed to this user."""
        return await self._act(
            viewer_id, friends.reject_request, focus_to=REQUESTS_TAB_ID, request_id=request_id
        )

    @rx.event
    @signed_in
    async def cancel(self, viewer_id: int, request_id: int):
        """Withdraw a request this user sent."""
        return await self._act(
            viewer_id, friends.cancel_request, focus_to=REQUESTS_TAB_ID, request_id=request_id
        )

    @rx.event
    def ask_confirm(self, kind: str, user_id: int, nickname: str):
        """Ask before removing or blocking someone this tab shows.

        The name in the question is the one this tab holds for that user: the client's
        `nickname` is ignored, so a forged call can neither name a stranger nor show text.
        """
        shown = [*self.friends, *self.incoming, *self.outgoing, self.search_result]
        contact = next((c for c in shown if c is not None and c.user_id == user_id), None)
        if kind in ("remove", "block") and contact is not None:
            self.confirm_kind = kind
            self.confirm_user_id = contact.user_id
            self.confirm_nickname = contact.nickname

    def _reset_confirm(self) -> None:
        self.confirm_kind, self.confirm_user_id, self.confirm_nickname = "", 0, ""

    @rx.event
    def dismiss_confirm(self):
        """Close the confirmation without acting."""
        self._reset_confirm()

    @rx.event
    @signed_in
    async def confirm(self, viewer_id: int):
        """Carry out the confirmed remove or block."""
        kind, user_id = self.confirm_kind, self.confirm_user_id
        self._reset_confirm()
        if kind == "remove":
            return await self._act(viewer_id, friends.remove_friend, friend_id=user_id)
        if kind == "block":
            return await self._act(viewer_id, friends.block_user, blocks=True, target_id=user_id)
        return None

    @rx.event
    @signed_in
    async def remove_friend(self, viewer_id: int, user_id: int):
        """End a friendship."""
        return await self._act(viewer_id, friends.remove_friend, friend_id=user_id)

    @rx.event
    @signed_in
    async def block(self, viewer_id: int, user_id: int):
        """Block a user."""
        return await self._act(viewer_id, friends.block_user, blocks=True, target_id=user_id)

    @rx.event
    @signed_in
    async def unblock(self, viewer_id: int, user_id: int):
        """Lift a block."""
        return await self._act(viewer_id, friends.unblock_user, blocks=True, target_id=user_id)

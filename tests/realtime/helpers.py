"""Shared steps for raw-client tests: register users, open tabs, read pushed state."""

from __future__ import annotations

import itertools
import json
from typing import Any

from chat_app.states.auth import AuthState
from chat_app.states.friends import FriendsState
from chat_app.states.list_order import ListOrderState
from chat_app.states.message_actions import MessageActionsState
from chat_app.states.message_buffer import LIVE_BANK
from chat_app.states.message_search import MessageSearchState
from chat_app.states.password_change import PasswordChangeState
from chat_app.states.row_values import bucket_of
from tests.support.event_client import EventClient

AUTH = AuthState.get_full_name()
PASSWORD_CHANGE = PasswordChangeState.get_full_name()
FRIENDS = FriendsState.get_full_name()
LIST_ORDER = ListOrderState.get_full_name()
TOKEN_KEY = f"{AUTH}.session_token_rx_state_"
CONVERSATION = "reflex___state____state.chat_app___states___conversation____conversation_state"
COMPOSER = "reflex___state____state.chat_app___states___composer____composer_state"
UPLOADS = "reflex___state____state.chat_app___states___uploads____upload_state"
UNREAD = "reflex___state____state.chat_app___states___unread____unread_state"
ACTIONS = MessageActionsState.get_full_name()
OPEN_CONVERSATION_KEY = f"{CONVERSATION}.open_conversation_store_rx_state_"
# What tabs of the version before conversation ids kept: the friend's id.
OPEN_FRIEND_KEY = f"{CONVERSATION}.open_friend_store_rx_state_"
OUTBOX = "reflex___state____state.chat_app___states___outbox____outbox_state"
RESEND = "reflex___state____state.chat_app___states___resend____resend_state"
OUTBOX_KEY = f"{OUTBOX}.outbox_rx_state_"
NEXT_ID_KEY = f"{OUTBOX}.next_client_id_rx_state_"
DRAFT_KEY = f"{COMPOSER}.draft_rx_state_"
UPLOAD_KEY = f"{UPLOADS}.upload_started_rx_state_"
REPLY_KEY = (
    "reflex___state____state.chat_app___states___replies____reply_state.reply_store_rx_state_"
)
STORAGE_KEYS = {
    TOKEN_KEY,
    OPEN_CONVERSATION_KEY,
    OPEN_FRIEND_KEY,
    OUTBOX_KEY,
    NEXT_ID_KEY,
    DRAFT_KEY,
    UPLOAD_KEY,
    REPLY_KEY,
}
PASSWORD = "correct horse"
_names = itertools.count()


def unique_username(prefix: str) -> str:
    return f"{prefix}_{next(_names)}"


async def register(backend_url: str, username: str) -> EventClient:
    """A tab on /auth that registers `username` (and is then logged in)."""
    tab = EventClient(backend_url)
    tab.storage_keys |= STORAGE_KEYS
    await tab.connect("/auth")
    form = {
        "username": username,
        "nickname": username.title(),
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    await tab.call(AUTH, "register", {"form_data": form})
    await tab.wait_for(lambda c: c.var(AUTH, "username") == username)
    # The browser follows the redirect to "/", whose on_load fills the panes.
    tab.navigate("/")
    await tab.call(FRIENDS, "load", {})
    await tab.call(UNREAD, "load", {})
    await tab.call(CONVERSATION, "load", {})
    await tab.wait_for(lambda c: c.var(FRIENDS, "friends") is not None)
    return tab


async def open_chat(backend_url: str, token: str) -> EventClient:
    """Another tab of the same browser: hydrates `/` with the stored session token."""
    tab = EventClient(backend_url, local_storage={TOKEN_KEY: token})
    tab.storage_keys |= STORAGE_KEYS
    await tab.connect("/")
    await tab.wait_for(lambda c: c.var(AUTH, "username") not in (None, ""))
    await tab.wait_for(lambda c: c.var(FRIENDS, "friends") is not None)
    return tab


def usernames(client: EventClient, list_name: str) -> list[str]:
    return [item["username"] for item in client.var(FRIENDS, list_name) or []]


def request_id_from(client: EventClient, username: str) -> int:
    incoming: list[dict[str, Any]] = client.var(FRIENDS, "incoming") or []
    return next(item["request_id"] for item in incoming if item["username"] == username)


def toasts(client: EventClient) -> list[str]:
    return [
        event["payload"]["function"]
        for event in client.events
        if event.get("name") == "_call_function" and "__toast" in event["payload"]["function"]
    ]


def session_token(client: EventClient) -> str:
    return client.var(AUTH, "session_token")


async def find_user_id(client: EventClient, username: str) -> int:
    """Search by exact username, as the search box does, and return the result's id."""
    await client.call(FRIENDS, "search", {"form_data": {"username": username}})
    await client.wait_for(
        lambda c: (c.var(FRIENDS, "search_result") or {}).get("username") == username
    )
    return client.var(FRIENDS, "search_result")["user_id"]


async def befriend(a: EventClient, b: EventClient) -> tuple[int, int]:
    """Make the users of two tabs friends; returns (a's user id, b's user id)."""
    b_name = b.var(AUTH, "username")
    b_id = await find_user_id(a, b_name)
    await a.call(FRIENDS, "send_request", {"user_id": b_id})
    a_name = a.var(AUTH, "username")
    await b.wait_for(lambda c: a_name in usernames(c, "incoming"))
    await b.call(FRIENDS, "accept", {"request_id": request_id_from(b, a_name)})
    await a.wait_for(lambda c: b_name in usernames(c, "friends"))
    await b.wait_for(lambda c: a_name in usernames(c, "friends"))
    a_id = next(f["user_id"] for f in b.var(FRIENDS, "friends") if f["username"] == a_name)
    return a_id, b_id


def conversation_id_with(tab: EventClient, friend_id: int) -> int:
    """The id of the conversation with a friend, as the tab's friend list names it."""
    friends = tab.var(FRIENDS, "friends") or []
    return next(f["conversation_id"] for f in friends if f["user_id"] == friend_id)


async def open_conversation(
    tab: EventClient, friend_id: int = 0, *, conversation_id: int = 0
) -> int:
    """Open the conversation with a friend (or an ex-friend's, by id); returns its id."""
    if not conversation_id:
        # A tab just opened may not have its list yet: the hydrate's frame can come first.
        await tab.wait_for(
            lambda c: any(f["user_id"] == friend_id for f in c.var(FRIENDS, "friends") or [])
        )
    conversation_id = conversation_id or conversation_id_with(tab, friend_id)
    await tab.call(CONVERSATION, "open_conversation", {"conversation_id": conversation_id})
    await tab.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == conversation_id)
    return conversation_id


def frame_without_events(frame: str) -> str:
    """A socket frame as it would be with its delta alone (a push's size, toasts aside)."""
    prefix = "42/_event,"
    name, update = json.loads(frame[len(prefix) :])
    update.pop("events", None)
    return prefix + json.dumps([name, update], separators=(",", ":"), ensure_ascii=False)


def unread_in(tab: EventClient, conversation_id: int) -> int:
    """The tab's unread count of a conversation (0 when it has none)."""
    bucket = tab.var(UNREAD, f"unread_{bucket_of(conversation_id)}") or {}
    return bucket.get(str(conversation_id), 0)


def order_in(tab: EventClient, conversation_id: int, index: int) -> int:
    """The CSS order of a friend row: its index in the list unless a message moved it up."""
    bucket = tab.var(LIST_ORDER, f"order_{bucket_of(conversation_id)}") or {}
    return bucket.get(str(conversation_id), index)


def shown_friends(tab: EventClient) -> list[dict[str, Any]]:
    """The tab's friends in the order the page shows them (by their rows' CSS order)."""
    friends = tab.var(FRIENDS, "friends") or []
    return [
        friend
        for _, friend in sorted(
            (order_in(tab, friend["conversation_id"], index), friend)
            for index, friend in enumerate(friends)
        )
    ]


def shown(tab: EventClient) -> list[dict[str, Any]]:
    """The messages the tab displays, in display order, read as the page renders them.

    The window, the bank of slots `first_bank` names, the other bank, the pending copies.
    """
    first = (tab.var(CONVERSATION, "first_bank") or 0) * LIVE_BANK
    second = LIVE_BANK - first
    banks = [*range(first, first + LIVE_BANK), *range(second, second + LIVE_BANK)]
    live = [slot for n in banks if (slot := tab.var(CONVERSATION, f"live_{n}"))]
    window = tab.var(CONVERSATION, "window") or []
    return [*window, *live, *(tab.var(CONVERSATION, "pending") or [])]


def shown_seqs(tab: EventClient) -> list[int]:
    return [m["seq"] for m in shown(tab) if m["seq"] > 0]


class Recorder:
    """Records every message a tab has ever displayed and any moment it showed one twice."""

    def __init__(self, tab: EventClient) -> None:
        self.seen: dict[int, str] = {}
        self.duplicates: list[list[int]] = []
        self.disorder: list[list[int]] = []
        tab.observers.append(self)

    def __call__(self, tab: EventClient) -> None:
        seqs = shown_seqs(tab)
        if len(seqs) != len(set(seqs)):
            self.duplicates.append(seqs)
        if seqs != sorted(seqs):
            self.disorder.append(seqs)
        for message in shown(tab):
            if message["seq"] > 0:
                self.seen[message["seq"]] = _identity(message)


def _identity(message: dict) -> str:
    """What names a shown message the same in every tab: its text, or for a group event
    (written for each reader: "You removed Li" / "Ann removed Li") the stored event's id."""
    if message.get("kind") == "system":
        return f"system {message['client_id']}"
    return message["body"]


def send_form(tab: EventClient, body: str) -> dict[str, str]:
    """The composer form as the browser submits it: the text, the open conversation and
    the client id issued for the next message (as far as this tab has been told)."""
    form = {"body": body}
    if conversation := tab.var(CONVERSATION, "conversation_id"):
        form["conversation_id"] = str(conversation)
    if issued := tab.var(OUTBOX, "next_client_id") or tab.local_storage.get(NEXT_ID_KEY):
        form["client_id"] = issued
    return form


async def send_text(tab: EventClient, body: str) -> None:
    await tab.call(COMPOSER, "send", {"form_data": send_form(tab, body)})


PRESENCE = "reflex___state____state.chat_app___states___presence____presence_state"


def sees_online(tab: EventClient, user_id: int) -> bool | None:
    """What the tab shows for a friend: True online, False offline, None unknown."""
    return (tab.var(PRESENCE, "online") or {}).get(str(user_id))


async def chat_pair(url: str) -> tuple[EventClient, EventClient, int, int]:
    """Ann's and Bob's chat tabs (the chat page loaded), each with their conversation open."""
    ann_reg = await register(url, unique_username("ann"))
    bob_reg = await register(url, unique_username("bob"))
    ann_id, bob_id = await befriend(ann_reg, bob_reg)
    ann = await open_chat(url, session_token(ann_reg))
    bob = await open_chat(url, session_token(bob_reg))
    for tab in (ann_reg, bob_reg):
        await tab.close()
    for tab, friend in ((ann, bob_id), (bob, ann_id)):
        await tab.wait_for(
            lambda c, f=friend: any(x["user_id"] == f for x in c.var(FRIENDS, "friends") or [])
        )
        await open_conversation(tab, friend)
    return ann, bob, ann_id, bob_id


async def another_tab(url: str, tab: EventClient, friend_id: int) -> EventClient:
    """A second tab of `tab`'s user (the same login), with their chat with `friend_id` open."""
    other = await open_chat(url, session_token(tab))
    await open_conversation(other, friend_id)
    return other


SEARCH = MessageSearchState.get_full_name()


async def search_messages(tab: EventClient, words: str) -> list[dict[str, Any]]:
    """Search the tab's chats for `words` (the Chats tab's field) and wait for the results."""
    await tab.call(SEARCH, "search", {"form_data": {"query": words}})
    await tab.wait_for(
        lambda c: c.var(SEARCH, "searched") == words and not c.var(SEARCH, "searching")
    )
    return tab.var(SEARCH, "found") or []


async def delete_message(
    tab: EventClient, conversation_id: int, seq: int, *, for_me: bool = False
) -> None:
    """The menu's "Delete for everyone" (or "Delete for me"), then the dialog's Delete."""
    target = {"conversation_id": conversation_id, "seq": seq, "for_me": for_me}
    await tab.call(ACTIONS, "ask_delete", target)
    await tab.wait_for(
        lambda c: (
            c.var(ACTIONS, "confirm_seq") == seq and c.var(ACTIONS, "confirm_for_me") is for_me
        )
    )
    await tab.call(ACTIONS, "delete_message", {})


async def edit_message(tab: EventClient, conversation_id: int, seq: int, body: str) -> None:
    """The menu's Edit, then the dialog's Save with `body`."""
    await tab.call(ACTIONS, "ask_edit", {"conversation_id": conversation_id, "seq": seq})
    await tab.wait_for(lambda c: c.var(ACTIONS, "edit_seq") == seq)
    await tab.call(ACTIONS, "save_edit", {"form_data": {"body": body}})

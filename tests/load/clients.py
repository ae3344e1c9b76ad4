"""Simulated users: one websocket each, for the app (Reflex `/_event`) and the peers (Socket.IO).

Both kinds send `m <user>.<n> <ns>` bodies to their friend, record when the sender's own
acknowledgement and the friend's copy arrive, and count every websocket payload byte in
both directions.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

import websockets

from tests.load.recorder import BODY, Recorder, body_for, now_ns
from tests.support.event_client import EventClient

AUTH = "reflex___state____state.chat_app___states___auth____auth_state"
FRIENDS = "reflex___state____state.chat_app___states___friends____friends_state"
CONVERSATION = "reflex___state____state.chat_app___states___conversation____conversation_state"
COMPOSER = "reflex___state____state.chat_app___states___composer____composer_state"
TOKEN_KEY = f"{AUTH}.session_token_rx_state_"
# A stored copy of a message in the sender's own tab: acknowledged by the server.
ACKNOWLEDGED = re.compile(r'"body":"m (\d+)\.(\d+) \d+","sent_at":"[^"]*","status":"sent"')


class Counted:
    """Bytes of websocket payloads, both directions."""

    def __init__(self) -> None:
        self.bytes = 0


class AppUser(EventClient):
    """A logged-in browser tab of the app with its friend's conversation open."""

    def __init__(
        self, backend_url: str, index: int, token: str, friend_id: int, recorder: Recorder
    ):
        super().__init__(backend_url, local_storage={TOKEN_KEY: token})
        self.storage_keys.add(TOKEN_KEY)
        self.index = index
        self.friend_id = friend_id
        self.conversation_id = 0  # read from the friend list once connected
        self.recorder = recorder
        self.counter = Counted()
        self.merge_state = True
        self._numbers = itertools.count(1)

    async def start(self, open_chat: bool = True) -> None:
        """Hydrate `/` (the page's on_load handlers run) and open the friend's chat."""
        await self.connect("/")
        await self.wait_for(lambda c: c.var(FRIENDS, "friends") is not None, timeout=120)
        if open_chat:
            await self._find_conversation()
            await self._open(with_history=False)

    async def _find_conversation(self) -> None:
        """The friend pane names the conversation (its load may follow the hydrate)."""
        await self.wait_for(lambda c: self._conversation_in_list() > 0, timeout=120)
        self.conversation_id = self._conversation_in_list()

    def _conversation_in_list(self) -> int:
        friends = self.var(FRIENDS, "friends") or []
        return next((f["conversation_id"] for f in friends if f["user_id"] == self.friend_id), 0)

    async def _open(self, with_history: bool) -> None:
        """Open the friend's conversation; wait for its first page if it has history."""
        conversation = {"conversation_id": self.conversation_id}
        await self.call(CONVERSATION, "open_conversation", conversation)
        await self.wait_for(
            lambda c: (
                c.var(CONVERSATION, "conversation_id") == self.conversation_id
                and (bool(c.var(CONVERSATION, "window")) or not with_history)
            )
        )

    async def _send_frame(self, frame: str) -> None:
        self.counter.bytes += len(frame.encode())
        await super()._send_frame(frame)

    async def send_message(self) -> None:
        sent_ns = now_ns()
        number = next(self._numbers)
        self.recorder.on_sent((self.index, number), sent_ns)
        body = body_for(self.index, number, sent_ns)
        await self.call(COMPOSER, "send", {"form_data": {"body": body}})

    async def send_aside(self, conversation_id: int, body: str) -> None:
        """Send an untimed message to another conversation, named by its id (as a queued
        message names it); that friend's tab may have another chat open."""
        form = {"body": body, "conversation_id": str(conversation_id)}
        await self.call(COMPOSER, "send", {"form_data": form})

    async def open_history(self) -> float:
        """Close and reopen the friend's chat; milliseconds until the first page arrived."""
        if not self.conversation_id:
            await self._find_conversation()
        await self.call(CONVERSATION, "close_conversation", {})
        await self.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == 0)
        started = now_ns()
        await self._open(with_history=True)
        return (now_ns() - started) / 1e6

    async def _handle(self, socket: Any, frame: str) -> None:
        arrived = now_ns()
        self.counter.bytes += len(frame.encode())
        if frame == "2":
            self.counter.bytes += 1
            await socket.send("3")
            return
        if '"body":"m ' in frame:
            self._record(frame, arrived)
        if self.merge_state or '"events":[{' in frame:
            await super()._handle(socket, frame)

    def _record(self, frame: str, arrived: int) -> None:
        for match in ACKNOWLEDGED.finditer(frame):
            key = (int(match[1]), int(match[2]))
            if key[0] == self.index:
                self.recorder.on_acknowledged(key, arrived)
        # One frame is one delivered copy, even where it names the message twice (the
        # bubble, and the chat list row's last line).
        keys = {(int(match[1]), int(match[2])) for match in BODY.finditer(frame)}
        for key in keys:
            if key[0] != self.index:
                self.recorder.on_delivered(key, arrived)


class PeerUser:
    """A Socket.IO client of a peer server: `send` with an acknowledgement, `message` pushes."""

    def __init__(self, url: str, index: int, user_id: int, friend_id: int, recorder: Recorder):
        self.url = url
        self.index = index
        self.user_id = user_id
        self.friend_id = friend_id
        self.conversation_id = 0  # read from the friend list once connected
        self.recorder = recorder
        self.counter = Counted()
        self._socket: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._ack_ids = itertools.count(1)
        self._numbers = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._acks: dict[int, tuple[int, int]] = {}

    async def start(self, open_chat: bool = True) -> None:
        ws_url = self.url.replace("http", "ws", 1)
        self._socket = await websockets.connect(
            f"{ws_url}/socket.io/?EIO=4&transport=websocket", max_size=None, compression=None
        )
        opening = await self._socket.recv()
        assert opening.startswith("0"), opening
        await self._send("40" + json.dumps({"user": self.user_id}))
        connected = await self._socket.recv()
        assert connected.startswith("40"), connected
        self._reader = asyncio.create_task(self._read())
        if open_chat:
            await self.open_history()

    async def _send(self, frame: str) -> None:
        self.counter.bytes += len(frame.encode())
        await self._socket.send(frame)

    async def send_message(self) -> None:
        sent_ns = now_ns()
        number = next(self._numbers)
        key = (self.index, number)
        self.recorder.on_sent(key, sent_ns)
        ack_id = next(self._ack_ids)
        self._acks[ack_id] = key
        message = {"to": self.friend_id, "client_id": uuid.uuid4().hex}
        message["body"] = body_for(self.index, number, sent_ns)
        await self._send(f"42{ack_id}" + json.dumps(["send", message]))

    async def send_aside(self, user_id: int, body: str) -> None:
        """Send an untimed message to another user (its acknowledgement is not awaited)."""
        message = {"to": user_id, "client_id": uuid.uuid4().hex, "body": body}
        await self._send(f"42{next(self._ack_ids)}" + json.dumps(["send", message]))

    async def open_history(self) -> float:
        """Ask for the newest page of the friend's conversation; milliseconds to the answer."""
        ack_id = next(self._ack_ids)
        answer = asyncio.get_running_loop().create_future()
        self._waiting[ack_id] = answer
        started = now_ns()
        await self._send(f"42{ack_id}" + json.dumps(["history", {"with": self.friend_id}]))
        await asyncio.wait_for(answer, 30)
        return (now_ns() - started) / 1e6

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed, OSError):
            async for frame in self._socket:
                arrived = now_ns()
                self.counter.bytes += len(frame.encode())
                if frame == "2":
                    await self._send("3")
                elif frame.startswith("42["):
                    for match in BODY.finditer(frame):
                        self.recorder.on_delivered((int(match[1]), int(match[2])), arrived)
                elif frame.startswith("43"):
                    self._acknowledge(frame, arrived)

    def _acknowledge(self, frame: str, arrived: int) -> None:
        ack_id = int(frame[2 : frame.index("[")])
        if (key := self._acks.pop(ack_id, None)) is not None:
            self.recorder.on_acknowledged(key, arrived)
        elif (answer := self._waiting.pop(ack_id, None)) is not None and not answer.done():
            answer.set_result(frame)

    @property
    def closed(self) -> bool:
        """Whether the socket has ended (closed by the server, dropped or never opened)."""
        return self._reader is None or self._reader.done()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._socket is not None:
            await self._socket.close()


def quiet(users: Sequence[Any]) -> None:
    """Stop the app's simulated tabs merging state once they are set up.

    The generator's core is then spent on sending and timing, not on JSON parsing it does
    not need (acknowledgements and deliveries are still recorded).
    """
    for user in users:
        if isinstance(user, AppUser):
            user.merge_state = False

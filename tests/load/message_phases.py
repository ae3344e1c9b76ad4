"""The app's own CPU per one-to-one message, phase by phase, with no server (issue 18).

Usage: python -m tests.load.message_phases [--messages 2000] [--rounds 3] [--length 0]

Not part of `make test` or `make bench`. Two users, each with a tab on their conversation,
write to each other in turn. Every message goes through the same handlers and pushes as on
the embedded server (tests/support/tab_app.py stands in for the app: no socket, no event
parsing), one phase at a time, and the process's CPU time is read between phases:

- **send**: the sender's `ComposerState.send`, from the session check to the stored
  message's update (the store and its durable commit included);
- **arrival**: the push that shows it in the recipient's tab;
- **read and receipt**: the recipient's read, which the meter starts when the arrival is
  done rather than a second later, and the read batches' lingers set to 0 (waiting costs no
  CPU; each read then has a transaction of its own, as at a slow rate), with its cursor's
  commit; and the receipt pushed into the sender's tab.

What the server adds on top (python-socketio, engine.io, uvicorn, Reflex's event processing
and the update's JSON) is the difference from `make bench`'s CPU per message. py-spy on the
worker gives shares of samples, which misled for small items (1 % of the samples for a call
that costs 0.2 %); these are CPU times, and nothing else runs between the readings.
"""

from __future__ import annotations

import os

if __name__ == "__main__":
    # Before chat_app.settings reads the environment: the two users send thousands of
    # messages; the type checks of state vars as the production server runs them.
    os.environ.setdefault("CHAT_MESSAGE_RATE_COUNT", "1000000")
    os.environ.setdefault("REFLEX_ENV_MODE", "prod")
    # Reflex lets a state be made outside its event processing only under pytest, as the
    # server-less tabs of the state tests are (tests/support/tabs.py).
    os.environ.setdefault("PYTEST_CURRENT_TEST", "tests/load/message_phases.py")

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from chat_app import models  # noqa: F401  (registers the tables on the metadata)
from chat_app.realtime import push
from chat_app.realtime.profile import PROFILE
from chat_app.services import database
from chat_app.states import read_batch, read_receipts
from chat_app.states.composer import ComposerState
from chat_app.states.conversation import ConversationState
from tests.support.tab_app import TabsApp
from tests.support.tabs import chat_tabs, conversation_with, make_tab, run

PHASES: tuple[str, ...] = ("send", "arrival", "read and receipt")
# What `--length` pads a message with: Latin, CJK and emoji, as a long message might hold.
TEXT = " the quick brown fox, 敏捷的棕色狐狸 👍🏽 jumps over the lazy dog."


@dataclass
class Phases:
    """CPU seconds spent in each phase over `messages` messages."""

    messages: int = 0
    send: float = 0.0
    arrival: float = 0.0
    read: float = 0.0

    def per_message_ms(self) -> dict[str, float]:
        """Each phase's CPU per message, and their total, in milliseconds."""
        each: dict[str, float] = dict(
            zip(PHASES, (self.send, self.arrival, self.read), strict=True)
        )
        each["total"] = sum(each.values())
        return {name: seconds / self.messages * 1000 for name, seconds in each.items()}


class _ReadTimers:
    """The reads' one-second timers, fired when the meter says (`read_receipts.push_later`)."""

    def __init__(self) -> None:
        self.due: dict[Hashable, tuple[str, type, Any]] = {}

    def push_later(
        self, key: Hashable, _delay_seconds: float, tab_token: str, state_cls: type, change: Any
    ) -> None:
        self.due.setdefault(key, (tab_token, state_cls, change))

    def fire(self) -> None:
        for tab_token, state_cls, change in self.due.values():
            push.push_to_tabs([tab_token], state_cls, change)
        self.due.clear()


async def _received(tab: ConversationState, seq: int) -> None:
    """Run the loop until the friend's receipt for `seq` has reached the sender's tab."""
    for _ in range(1000):
        if tab.friend_read_seq >= seq:
            return
        await push.settled()
        await asyncio.sleep(0)
    raise RuntimeError(f"no receipt for message {seq}: read up to {tab.friend_read_seq}")


async def _one_message(
    sender: ConversationState, recipient: ConversationState, body: str, reads: _ReadTimers
) -> tuple[float, float, float]:
    """One message, phase by phase: the CPU seconds of each."""
    composer = await sender.get_state(ComposerState)
    start = time.process_time()
    await run(composer.send, {"body": body})
    sent = time.process_time()
    await push.settled()
    arrived = time.process_time()
    seq = sender._buffer().last_seq()
    if recipient._buffer().last_seq() != seq:
        raise RuntimeError(f"message {seq} did not arrive")
    reads.fire()
    await _received(sender, seq)
    return sent - start, arrived - sent, time.process_time() - arrived


def body_of(number: int, length: int) -> str:
    """Message `number`'s text, padded to `length` characters of mixed scripts and emoji."""
    head = f"message {number}: hello"
    return (head + TEXT * (length // len(TEXT) + 1))[: max(length, len(head))]


async def measure(messages: int, warm_up: int = 50, length: int = 0) -> Phases:
    """Send `messages` messages back and forth (after `warm_up` unmeasured ones).

    Args:
        messages: How many messages to measure.
        warm_up: How many to send first (caches, the chat list's first move).
        length: The messages' length in characters (0: about 20, as the bench's).

    Returns:
        The CPU seconds of each phase.
    """
    await PROFILE.tab_registry.clear()
    await PROFILE.chime_seats.clear()
    # Read positions known from an earlier round's database are not this one's.
    read_receipts._known_read.clear()
    ann, bob, _ann_id, bob_id = await chat_tabs(make_tab)
    conversation_id = await conversation_with(ann, bob_id)
    await run(ann.open_conversation, conversation_id)
    await run(bob.open_conversation, conversation_id)
    phases, reads = Phases(), _ReadTimers()
    saved = (push._app, read_receipts.push_later)
    TabsApp().connect(ann, bob)
    read_receipts.push_later = reads.push_later  # pyright: ignore[reportAttributeAccessIssue]
    try:
        for number in range(warm_up + messages):
            sender, recipient = (ann, bob) if number % 2 else (bob, ann)
            body = body_of(number, length)
            send, arrival, read = await _one_message(sender, recipient, body, reads)
            if number >= warm_up:
                phases.messages += 1
                phases.send += send
                phases.arrival += arrival
                phases.read += read
    finally:
        push._app, read_receipts.push_later = saved
        await PROFILE.tab_registry.clear()
        await PROFILE.chime_seats.clear()
    return phases


async def measure_on_fresh_database(messages: int, warm_up: int = 50, length: int = 0) -> Phases:
    """`measure` on a new SQLite file set up as the app's (WAL, durable commits).

    Args:
        messages: How many messages to measure.
        warm_up: How many to send first.
        length: The messages' length in characters (0: about 20).

    Returns:
        The CPU seconds of each phase.
    """
    saved = (database.get_engine, read_batch.LINGER_SECONDS, read_batch.LATER_LINGER_SECONDS)
    with tempfile.TemporaryDirectory() as folder:
        engine = database.create_db_engine(f"sqlite:///{Path(folder) / 'phases.db'}")
        SQLModel.metadata.create_all(engine)
        database.get_engine = lambda url=None: engine  # pyright: ignore[reportAttributeAccessIssue]
        read_batch.LINGER_SECONDS = read_batch.LATER_LINGER_SECONDS = 0.0
        try:
            return await measure(messages, warm_up, length)
        finally:
            database.get_engine, read_batch.LINGER_SECONDS, read_batch.LATER_LINGER_SECONDS = saved
            engine.dispose()


def main() -> None:
    """Measure, print each round and the medians."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--length", type=int, default=0, help="characters per message")
    arguments = parser.parse_args()
    rounds = []
    for number in range(arguments.rounds):
        figures = asyncio.run(
            measure_on_fresh_database(arguments.messages, length=arguments.length)
        ).per_message_ms()
        rounds.append(figures)
        print(f"round {number + 1}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()))
    print(f"\nCPU per message, ms, median of {len(rounds)} rounds:")
    for name in (*PHASES, "total"):
        values = [figures[name] for figures in rounds]
        print(f"  {name:18} {statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})")


if __name__ == "__main__":
    main()

"""Realistic friend lists: every user has about a hundred contacts and writes to a
different one each time, so friend lists change order as they do in use.

Each tab keeps its partner's conversation open. A user's messages alternate between the
partner (timed: delivered into the partner's open conversation, acknowledged in the
sender's) and the next of its other friends in turn (untimed: that friend's tab has
another chat open, so it gets the unread count and a notice; the app's sender names the
conversation by id, as a message queued offline does). Every message thus moves a friend
to the top of the sender's list and usually of the recipient's.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa

from tests.load import scenarios
from tests.load.clients import quiet
from tests.load.recorder import Recorder
from tests.load.scenarios import Plan, User
from tests.load.servers import APPS, RunningServer

ASIDE = "x "  # the bodies of untimed messages start so (timed ones with "m ")


class Rotating:
    """A user writing to its partner and to its other friends, one after the other."""

    def __init__(self, user: Any, others: Sequence[int]):
        """`others`: whom `user.send_aside` names (conversation ids for the app, user ids
        for a peer), in the order they get a message."""
        self.user = user
        self.others = list(others)
        self.turns = 0
        self.asides = 0

    @property
    def recorder(self) -> Recorder:
        return self.user.recorder

    @recorder.setter
    def recorder(self, recorder: Recorder) -> None:
        self.user.recorder = recorder

    @property
    def counter(self) -> Any:
        return self.user.counter

    async def start(self, open_chat: bool = True) -> None:
        await self.user.start(open_chat)

    async def open_history(self) -> float:
        return await self.user.open_history()

    async def close(self) -> None:
        await self.user.close()

    async def send_message(self) -> None:
        self.turns += 1
        if self.turns % 2:
            await self.user.send_message()
            return
        target = self.others[(self.turns // 2) % len(self.others)]
        self.asides += 1
        await self.user.send_aside(target, f"{ASIDE}{self.user.index}.{self.asides}")


def others_in_turn(me: int, partner: int, group: Sequence[int]) -> list[int]:
    """The group's other members, starting after `me`: users of a group do not all write
    to the same friend at once."""
    at = list(group).index(me)
    ring = [*group[at + 1 :], *group[:at]]
    return [member for member in ring if member != partner]


async def contacts(
    server: RunningServer, rotating: Sequence[Rotating], plan: Plan
) -> dict[str, Any]:
    """The latency phase's open loop at `plan.contacts_rate`, over users with many contacts."""
    # A Rotating passes its recorder on to its user (a property, where User has a field).
    users = cast("Sequence[User]", rotating)
    await scenarios.start_all(users)
    quiet([one.user for one in rotating])
    scenarios.use(users, Recorder(active=False))
    await scenarios.drive(users, plan.contacts_rate, plan.warmup_seconds)
    await scenarios.wait_idle(server)
    for user in users:
        user.counter.bytes = 0
    asides_before = sum(one.asides for one in rotating)
    cpu_before = server.cpu_seconds()
    run = await scenarios.measured_run(
        server, users, plan.contacts_rate, plan.contacts_seconds, plan.drain_seconds
    )
    # The untimed messages finish too: their cost is part of the figure.
    await scenarios.wait_idle(server)
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000
    asides = sum(one.asides for one in rotating)
    messages = run["sent"] + asides - asides_before
    total_bytes = sum(user.counter.bytes for user in users)
    await scenarios.close_all(users)
    return {
        "users": len(users),
        "contacts_each": len(users) - 1,
        "run": run,
        "messages": messages,
        "cpu_ms_per_message": cpu_ms / max(1, messages),
        "bytes_per_message": total_bytes / max(1, messages),
        "asides_sent": asides,
        "asides_stored": stored_asides(server),
    }


def stored_asides(server: RunningServer) -> int:
    """How many untimed messages the server's database holds."""
    query = "SELECT count(*) FROM message WHERE body LIKE 'x %'"
    if server.kind in APPS:
        engine = sa.create_engine(server.database)
        try:
            with engine.connect() as connection:
                return int(connection.execute(sa.text(query)).scalar_one())
        finally:
            engine.dispose()
    with contextlib.closing(sqlite3.connect(server.database)) as connection:
        return int(connection.execute(query).fetchone()[0])

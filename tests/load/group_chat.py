"""The groups phase (app servers only): a message into groups of `plan.group_sizes` members.

Every member has one tab with the group open; one member sends at `plan.group_rate`, then a
burst at `plan.group_burst_rate`. Per size and run: send → the last member's copy, the
sender's acknowledgement, the server's CPU and the recipients' websocket bytes per
delivered copy, and whether every member got every message exactly once.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from typing import Any

from tests.load import crowd, scenarios
from tests.load.clients import ACKNOWLEDGED, COMPOSER, AppUser, quiet
from tests.load.recorder import Recorder, body_for, now_ns
from tests.load.scenarios import Plan
from tests.load.seed import Seeded
from tests.load.servers import SCALED, RunningServer

# A message row's body: a chat list's preview of the same text is not a delivered copy.
ROW_BODY = re.compile(r'"body":"m (\d+)\.(\d+) \d+"')


async def settle(server: RunningServer, plan: Plan) -> None:
    """Wait until the server is idle, its leases' saves included (scaled profile)."""
    if server.kind in SCALED:
        await asyncio.sleep(plan.lease_saved_within_seconds)  # no signal marks a lease's end
    await scenarios.wait_idle(server)


def runs_of(plan: Plan) -> list[tuple[str, int, float]]:
    """The steady run and the burst, as `plan` sizes them."""
    return [
        ("steady", plan.group_messages, plan.group_rate),
        ("burst", plan.group_burst, plan.group_burst_rate),
    ]


class GroupMember(AppUser):
    """A member's tab with the group open (its id is known from the seed)."""

    def __init__(self, backend_url: str, seeded: Seeded, conversation_id: int):
        super().__init__(backend_url, seeded.index, seeded.token, seeded.friend_id, Recorder())
        self.group_id = conversation_id

    async def start(self, open_chat: bool = True) -> None:
        """Hydrate `/` (the page's on_load handlers run) and open the group."""
        await super().start(open_chat=False)
        if open_chat:
            self.conversation_id = self.group_id
            await self._open(with_history=False)

    async def send_message(self) -> None:
        """A timed message into the group, named in the form as a queued message names it."""
        sent_ns = now_ns()
        number = next(self._numbers)
        self.recorder.on_sent((self.index, number), sent_ns)
        body = body_for(self.index, number, sent_ns)
        form = {"body": body, "conversation_id": str(self.group_id)}
        await self.call(COMPOSER, "send", {"form_data": form})

    def _record(self, frame: str, arrived: int) -> None:
        for match in ACKNOWLEDGED.finditer(frame):
            key = (int(match[1]), int(match[2]))
            if key[0] == self.index:
                self.recorder.on_acknowledged(key, arrived)
        for match in ROW_BODY.finditer(frame):
            key = (int(match[1]), int(match[2]))
            if key[0] != self.index:
                self.recorder.on_delivered(key, arrived)


async def into_groups(
    server: RunningServer, members: Sequence[Seeded], group_ids: dict[int, int], plan: Plan
) -> dict[str, Any]:
    """Every size of `plan.group_sizes`: the first `size` of `members` in their group
    (`group_ids` by size), each with a tab, the first one sending both runs."""
    sizes = []
    for size in plan.group_sizes:
        await scenarios.wait_idle(server)
        began = time.monotonic()
        tabs = [GroupMember(server.url, seeded, group_ids[size]) for seeded in members[:size]]
        failed = await crowd.connect_batched(tabs)
        quiet(tabs)
        sender, recipients = tabs[0], tabs[1:]
        sender.recorder = Recorder(active=False)
        await sender.send_message()  # a warm-up, not recorded
        await settle(server, plan)
        # The idle server's pings and timers are taken out of the messages' cost.
        idle_rate = await crowd._idle_cpu(server, min(3.0, plan.idle_seconds / 2))
        runs = {}
        for name, count, rate in runs_of(plan):
            # Each run ends once the server is quiet again: the next starts from there.
            runs[name] = await _run(server, sender, recipients, count, rate, idle_rate, plan)
        await scenarios.close_all(tabs)
        wall = time.monotonic() - began
        sizes.append({"members": size, "failed_to_connect": failed, "wall_s": wall, **runs})
    # Every member's conversations: the measured group and the quiet side groups.
    return {"sizes": sizes, "conversations_per_member": 1 + plan.group_side_conversations}


async def _run(
    server: RunningServer,
    sender: GroupMember,
    recipients: Sequence[GroupMember],
    count: int,
    rate: float,
    idle_rate: float,
    plan: Plan,
) -> dict[str, Any]:
    """`count` messages at `rate` (open loop), until every copy and acknowledgement is in
    and the server is quiet again (read cursors and receipts follow the copies)."""
    sent: dict[tuple[int, int], int] = {}
    sender.recorder = Recorder(sent=sent)
    for tab in recipients:
        tab.recorder = Recorder(sent=sent)
        tab.counter.bytes = 0
    cpu_before, started = server.cpu_seconds(), time.monotonic()
    lateness = await scenarios.drive([sender], rate, count / rate)
    acknowledged = sender.recorder.acknowledged

    def complete() -> bool:
        copies = sum(len(tab.recorder.delivered) for tab in recipients)
        return copies == len(sent) * len(recipients) and len(acknowledged) == len(sent)

    await scenarios.wait_until(complete, crowd.DELIVERY_TIMEOUT)
    await settle(server, plan)
    seconds = time.monotonic() - started
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000
    copies = sum(len(tab.recorder.delivered) for tab in recipients)
    traffic = sum(tab.counter.bytes for tab in recipients)
    net_ms = cpu_ms - idle_rate * seconds * 1000
    return {
        "messages": len(sent),
        "rate_per_s": rate,
        "copies_expected": len(sent) * len(recipients),
        "copies_delivered": copies,
        "duplicates": sum(tab.recorder.duplicates for tab in recipients),
        "acknowledged": len(acknowledged),
        **_timings(sent, acknowledged, recipients),
        "idle_cpu_percent": idle_rate * 100,
        "cpu_ms_per_copy": net_ms / copies if copies else None,
        "cpu_ms_per_copy_with_idle": cpu_ms / copies if copies else None,
        "bytes_per_copy": traffic / copies if copies else None,
        "generator_lateness_ms": lateness,
        "seconds": seconds,
    }


def _timings(
    sent: dict[tuple[int, int], int],
    acknowledged: dict[tuple[int, int], int],
    recipients: Sequence[GroupMember],
) -> dict[str, float | None]:
    """The fan-out's timings; None, not 0, for what no message completed (the send is
    refused, or no copy reached every member): a table must not show 0 ms for it."""
    timings: dict[str, float | None] = {**crowd._timings(sent, acknowledged, recipients)}
    if not any(all(key in tab.recorder.delivered for tab in recipients) for key in sent):
        timings.update(first_p50_ms=None, last_p50_ms=None, last_p99_ms=None)
    if not acknowledged:
        timings.update(ack_p50_ms=None, ack_p99_ms=None)
    return timings

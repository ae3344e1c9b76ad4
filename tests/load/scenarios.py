"""The measured phases, the same for every server: open-loop sending, stepped load, bytes
per message at several history lengths, opening a long conversation and memory per client.
The later phases (many connections, fan-out, many contacts) are in crowd.py and contacts.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from chat_app.realtime.lease_keepalive import lease_hold_ms
from tests.load.recorder import Recorder, percentile
from tests.load.servers import RunningServer


class User(Protocol):
    recorder: Recorder
    counter: Any

    async def start(self, open_chat: bool = True) -> None: ...
    async def send_message(self) -> None: ...
    async def open_history(self) -> float: ...
    async def close(self) -> None: ...


@dataclass(frozen=True)
class Plan:
    """How much load each phase offers (the full benchmark, or a quick smoke run)."""

    pairs: int = 50
    latency_rate: int = 100
    latency_seconds: float = 10.0
    warmup_seconds: float = 2.0
    step_rates: tuple[int, ...] = (
        25, 50, 75, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000,
    )  # fmt: skip
    step_seconds: float = 4.0
    step_p99_limit_ms: float = 100.0
    # The quick smoke run measures every step: one slow second must not hide the others.
    stop_at_first_failed_step: bool = True
    histories: tuple[int, ...] = (10, 100, 1000, 5000)
    bytes_pairs: int = 3
    bytes_messages: int = 120
    bytes_rate: int = 30
    big_history: int = 100_000
    opens: int = 100
    memory_clients: tuple[int, int] = (500, 1500)
    drain_seconds: float = 5.0
    # Later phases (tests/load/crowd.py, contacts.py); seeded after the users above.
    connections: int = 5000
    idle_seconds: float = 30.0
    fanout_tabs: tuple[int, int] = (100, 1000)
    fanout_messages: int = 20
    fanout_interval_seconds: float = 0.5
    contacts_users: int = 100
    contacts_history: int = 2
    contacts_rate: int = 100
    contacts_seconds: float = 10.0
    # The groups phase (tests/load/group_chat.py, app servers only): one tab per member.
    group_sizes: tuple[int, ...] = (10, 100, 250)
    group_messages: int = 10
    group_rate: float = 1.0
    group_burst: int = 30
    group_burst_rate: float = 10.0
    # Besides the measured group, every member has this many other (quiet) conversations:
    # the chat list of a busy member, whose size must not show in a message's cost.
    group_side_conversations: int = 60
    # The scaled profile's leases (REFLEX_OPLOCK_ENABLED) save a tab's state up to their
    # hold time (25 s) after the change that took the lease: a group run waits that long
    # and a second for those saves, so its cost includes them and the idle rate measured
    # after the warm-up message does not.
    lease_saved_within_seconds: float = field(default_factory=lambda: lease_hold_ms() / 1000 + 1)
    extra: dict[str, Any] = field(default_factory=dict)

    def user_count(self) -> int:
        return (
            2 * self.pairs + 2 * self.bytes_pairs * len(self.histories) + 2 + self.memory_clients[1]
        )


QUICK = Plan(
    pairs=3,
    latency_rate=20,
    latency_seconds=2.0,
    warmup_seconds=0.5,
    step_rates=(25, 50),
    step_seconds=1.0,
    stop_at_first_failed_step=False,
    histories=(10, 100),
    bytes_pairs=1,
    bytes_messages=20,
    bytes_rate=20,
    big_history=2000,
    opens=10,
    memory_clients=(10, 30),
    drain_seconds=5.0,
    connections=50,
    idle_seconds=1.0,
    fanout_tabs=(5, 20),
    fanout_messages=3,
    fanout_interval_seconds=0.1,
    contacts_users=10,
    contacts_history=1,
    contacts_rate=20,
    contacts_seconds=1.0,
    group_sizes=(3, 6),
    group_messages=2,
    group_burst=5,
    group_side_conversations=3,
    lease_saved_within_seconds=0.0,
)


async def start_all(users: Sequence[User], open_chat: bool = True, batch: int = 50) -> None:
    """Connect users a batch at a time (a crowd arriving, not one burst of thousands)."""
    for first in range(0, len(users), batch):
        await asyncio.gather(*(u.start(open_chat) for u in users[first : first + batch]))


async def close_all(users: Sequence[User]) -> None:
    await asyncio.gather(*(u.close() for u in users))


async def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def wait_idle(server: RunningServer, timeout: float = 60.0) -> None:
    """Wait until the server uses under 5 % of a core over half a second (backlog done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = server.cpu_seconds()
        await asyncio.sleep(0.5)
        if server.cpu_seconds() - before < 0.025:
            return


def use(users: Sequence[User], recorder: Recorder) -> None:
    for user in users:
        user.recorder = recorder


async def drive(users: Sequence[User], rate: float, seconds: float) -> float:
    """Open loop: message k leaves at start + k/rate whatever the answers; returns the
    generator's worst lateness in ms (how far it fell behind its own schedule)."""
    loop = asyncio.get_running_loop()
    total = max(1, int(rate * seconds))
    start = loop.time()
    worst = 0.0
    for k in range(total):
        target = start + k / rate
        delay = target - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            worst = max(worst, -delay)
        await users[k % len(users)].send_message()
    return worst * 1000


async def measured_run(
    server: RunningServer, users: Sequence[User], rate: float, seconds: float, drain: float
) -> dict[str, Any]:
    """Send at `rate` for `seconds`, wait for the deliveries, and summarise."""
    recorder = Recorder()
    use(users, recorder)
    cpu_before = server.cpu_seconds()
    lateness = await drive(users, rate, seconds)
    complete = await wait_until(
        lambda: recorder.missing() == 0 and len(recorder.acknowledged) == len(recorder.sent),
        drain,
    )
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000
    delivery, acknowledgement = recorder.delivery_ms(), recorder.acknowledgement_ms()
    return {
        "offered_per_s": rate,
        "sent": len(recorder.sent),
        "delivered": len(recorder.delivered),
        "missing": recorder.missing(),
        "duplicates": recorder.duplicates,
        "complete": complete,
        "delivery_p50_ms": percentile(delivery, 0.50),
        "delivery_p95_ms": percentile(delivery, 0.95),
        "delivery_p99_ms": percentile(delivery, 0.99),
        "ack_p50_ms": percentile(acknowledgement, 0.50),
        "ack_p95_ms": percentile(acknowledgement, 0.95),
        "ack_p99_ms": percentile(acknowledgement, 0.99),
        "cpu_ms_per_message": cpu_ms / max(1, len(recorder.delivered)),
        "generator_lateness_ms": lateness,
    }


async def latency(server: RunningServer, users: Sequence[User], plan: Plan) -> dict[str, Any]:
    """Send→delivered and send→acknowledged at a fixed rate, after a warm-up."""
    use(users, Recorder(active=False))
    await drive(users, plan.latency_rate, plan.warmup_seconds)
    await wait_idle(server)
    return await measured_run(
        server, users, plan.latency_rate, plan.latency_seconds, plan.drain_seconds
    )


async def stepped_load(server: RunningServer, users: Sequence[User], plan: Plan) -> dict[str, Any]:
    """Raise the offered rate until p99 passes the limit or a message goes missing."""
    steps = []
    sustained = 0
    held = True
    for rate in plan.step_rates:
        await wait_idle(server)
        step = await measured_run(server, users, rate, plan.step_seconds, plan.drain_seconds)
        steps.append(step)
        if not step["complete"] or step["delivery_p99_ms"] >= plan.step_p99_limit_ms:
            held = False
            if plan.stop_at_first_failed_step:
                break
        elif held:
            sustained = rate
    return {"sustained_per_s": sustained, "steps": steps}


async def bytes_per_message(
    server: RunningServer, users: Sequence[User], plan: Plan
) -> dict[str, Any]:
    """Every websocket payload byte of both users of each pair, per delivered message."""
    await start_all(users)
    await wait_idle(server)
    for user in users:
        user.counter.bytes = 0
    run = await measured_run(
        server, users, plan.bytes_rate, plan.bytes_messages / plan.bytes_rate, plan.drain_seconds
    )
    total = sum(user.counter.bytes for user in users)
    await close_all(users)
    return {"bytes_per_message": total / max(1, run["delivered"]), "run": run}


async def open_long_conversation(user: User, plan: Plan) -> dict[str, Any]:
    """Open the conversation with `plan.big_history` messages again and again."""
    await user.start(open_chat=False)
    timings = [await user.open_history() for _ in range(plan.opens)]
    await user.close()
    return {
        "history": plan.big_history,
        "opens": len(timings),
        "p50_ms": percentile(timings, 0.50),
        "p99_ms": percentile(timings, 0.99),
    }


async def memory_per_client(
    server: RunningServer, users: Sequence[User], plan: Plan
) -> dict[str, Any]:
    """Resident memory slope between two numbers of connected, logged-in clients."""
    low, high = plan.memory_clients
    await start_all(users[:low])
    await wait_idle(server)
    rss_low = server.rss_bytes()
    await start_all(users[low:high])
    await wait_idle(server)
    rss_high = server.rss_bytes()
    await close_all(users[:high])
    return {
        "clients": [low, high],
        "rss_mb": [rss_low / 2**20, rss_high / 2**20],
        "kb_per_client": (rss_high - rss_low) / 1024 / (high - low),
    }


Phase = Callable[..., Awaitable[dict[str, Any]]]

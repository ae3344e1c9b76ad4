"""Where the floor is for a one-to-one message on the embedded profile (issue 18).

Usage: python -m tests.load.message_floor [--rounds 3] [--servers app,relay,floor,checked-floor]
                                          [--phases latency,throughput] [--quick]

Not part of `make test` or `make bench`. It runs the bench's latency and throughput phases
(tests/load/scenarios.py, the same users, rates and CPU accounting as `make bench`),
interleaved round by round, against:

- **app**: the app on its embedded profile (as `make bench` runs it);
- **relay**: the python-socketio relay peer;
- **floor**: the Reflex floor peer (tests/load/peers/reflex_floor): the relay's store and
  delivery done the way Reflex does them — the send as an event on the sender's state, the
  delivery as a push into the recipient's state, the read once a second and its receipt as
  two more — on the app's backend server (gunicorn with uvicorn's worker, states in memory);
- **checked floor**: the same peer doing the per-message work issue 18 forbids dropping
  (the user re-derived from a session row, friendship, rate and client-id checks, a unique
  index, the read cursor stored), in plain SQL (`FLOOR_CHECKS=1`).

The floor's CPU per message is what any Reflex app pays for the contract the app keeps
(acknowledged send, pushed delivery, receipts within a second) without a line of the app's
own work, so `floor ÷ relay` is the lowest `app ÷ relay` a Reflex app can reach and
`app ÷ floor` is what the app adds; the checked floor is the lowest a Reflex app can reach
without dropping that work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.load import scenarios
from tests.load.clients import AppUser, quiet
from tests.load.recorder import Recorder, body_for, now_ns
from tests.load.run import _run_server
from tests.load.seed import peer_users
from tests.load.servers import (
    APP,
    RELAY,
    SERVER_CORE,
    TWO_CORES,
    RunningServer,
    pin_generator,
    raise_open_file_limit,
)
from tests.support.live_app import PROJECT_DIR, REFLEX, free_port, server_process

FLOOR = "Reflex floor peer"
CHECKED_FLOOR = "Reflex floor peer, checked"
FLOOR_PROJECT = Path(__file__).parent / "peers" / "reflex_floor"
FLOOR_TAB = "reflex___state____state.reflex_floor___reflex_floor____tab"
KINDS = {"app": APP, "relay": RELAY, "floor": FLOOR, "checked-floor": CHECKED_FLOOR}


class FloorUser(AppUser):
    """A tab of the floor peer: names its user, sends to its friend, records as the app's."""

    def __init__(self, url: str, index: int, user_id: int, friend_id: int, recorder: Recorder):
        super().__init__(url, index, "", friend_id, recorder)
        self.user_id = user_id

    async def start(self, open_chat: bool = True) -> None:
        await self.connect("/")
        await self.call(FLOOR_TAB, "join", {"user": self.user_id, "friend": self.friend_id})
        await self.wait_for(lambda c: c.var(FLOOR_TAB, "user") == self.user_id)

    async def send_message(self) -> None:
        sent_ns = now_ns()
        number = next(self._numbers)
        self.recorder.on_sent((self.index, number), sent_ns)
        message = {"to": self.friend_id, "client_id": uuid.uuid4().hex}
        message["body"] = body_for(self.index, number, sent_ns)
        await self.call(FLOOR_TAB, "send", message)


@contextlib.contextmanager
def floor_server(workdir: Path, kind: str) -> Iterator[RunningServer]:
    """The floor peer on 127.0.0.1, run from a copy of its project (Reflex writes beside it)."""
    project = workdir / "reflex_floor"
    shutil.copytree(FLOOR_PROJECT, project)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "PATH": str(Path(REFLEX).parent) + ":/usr/bin:/bin",
        "HOME": str(workdir),
        "PYTHONPATH": str(PROJECT_DIR),
        "FLOOR_DB": str(workdir / "floor.db"),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        "FLOOR_CHECKS": "1" if kind == CHECKED_FLOOR else "0",
    }
    args = ["env", "-C", str(project), REFLEX, "run", "--env", "prod", "--backend-only"]
    args += ["--backend-host", "127.0.0.1", "--backend-port", str(port)]
    if TWO_CORES:
        args = ["taskset", "--cpu-list", str(SERVER_CORE), *args]
    with server_process(args, f"{url}/ping", env, workdir / "floor.log") as process:
        yield RunningServer(kind, url, process.pid, str(workdir / "floor.db"))


async def _run_floor(
    kind: str, plan: scenarios.Plan, workdir: Path, phases: set[str]
) -> dict[str, Any]:
    with floor_server(workdir, kind) as server:
        seeded = peer_users(2 * plan.pairs)
        users = [FloorUser(server.url, s.index, s.user_id, s.friend_id, Recorder()) for s in seeded]
        await scenarios.start_all(users)
        quiet(users)
        result: dict[str, Any] = {}
        if "latency" in phases:
            result["latency"] = await scenarios.latency(server, users, plan)
        if "throughput" in phases:
            result["throughput"] = await scenarios.stepped_load(server, users, plan)
        await scenarios.close_all(users)
        return result


def _figures(result: dict[str, Any]) -> dict[str, float]:
    figures: dict[str, float] = {}
    if latency := result.get("latency"):
        figures["cpu_ms"] = latency["cpu_ms_per_message"]
        figures["p50_ms"] = latency["delivery_p50_ms"]
        figures["p99_ms"] = latency["delivery_p99_ms"]
    if throughput := result.get("throughput"):
        figures["sustained"] = throughput["sustained_per_s"]
    return figures


def report(rounds: list[dict[str, dict[str, float]]]) -> None:
    """Medians over the rounds, and the ratios taken within each round."""
    kinds = [kind for kind in KINDS.values() if kind in rounds[0]]
    print(f"\n{len(rounds)} round(s), medians (min-max)")
    for figure in ("cpu_ms", "p50_ms", "p99_ms", "sustained"):
        cells = []
        for kind in kinds:
            values = [r[kind][figure] for r in rounds if figure in r[kind]]
            if values:
                cells.append(
                    f"{kind}: {statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"
                )
        print(f"{figure:10} " + " | ".join(cells))
    for top, bottom in (
        (APP, RELAY),
        (FLOOR, RELAY),
        (CHECKED_FLOOR, RELAY),
        (APP, FLOOR),
        (APP, CHECKED_FLOOR),
    ):
        if top in kinds and bottom in kinds:
            for figure in ("cpu_ms", "sustained"):
                ratios = [
                    r[top][figure] / r[bottom][figure]
                    for r in rounds
                    if r[bottom].get(figure) and figure in r[top]
                ]
                if ratios:
                    print(
                        f"{figure} {top} ÷ {bottom}: {statistics.median(ratios):.2f} "
                        f"({min(ratios):.2f}-{max(ratios):.2f})"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--servers", default="app,relay,floor,checked-floor")
    parser.add_argument("--phases", default="latency,throughput")
    parser.add_argument("--quick", action="store_true", help="the smoke run's tiny loads")
    args = parser.parse_args()
    plan = scenarios.QUICK if args.quick else scenarios.Plan()
    phases = set(args.phases.split(","))
    kinds = [KINDS[name] for name in args.servers.split(",")]
    raise_open_file_limit()
    pin_generator()
    rounds: list[dict[str, dict[str, float]]] = []
    for number in range(1, args.rounds + 1):
        one_round: dict[str, dict[str, float]] = {}
        for kind in kinds:
            with tempfile.TemporaryDirectory(prefix="floor-") as tmp:
                if kind in (FLOOR, CHECKED_FLOOR):
                    result = asyncio.run(_run_floor(kind, plan, Path(tmp), phases))
                else:
                    result = asyncio.run(_run_server(kind, plan, Path(tmp), phases))
            one_round[kind] = _figures(result)
            print(f"round {number}: {kind} {one_round[kind]}", flush=True)
        rounds.append(one_round)
    report(rounds)


if __name__ == "__main__":
    main()

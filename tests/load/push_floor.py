"""Where the floor is for one group copy on the scaled profile: CPU per push into a tab.

Usage: python -m tests.load.push_floor [--pushes 2000] [--tabs 10] [--no-profile]
                                       [--no-oplock]

Not part of `make test` or `make bench`. It starts a throw-away Redis on 127.0.0.1 (as the
bench does, tests/support/engines.py), then one process per setting of
`REFLEX_OPLOCK_ENABLED` (off, then on), each importing the app on that Redis
(tests/load/push_floor_run.py) and timing, after a warm-up, `--pushes` pushes spread over
`--tabs` tabs (each round reaches every tab once, then waits until all have it):

- **floor**: Reflex's own `StateManagerRedis.modify_state` on a tab's token of a minimal
  substate (one int under the root): change the int, compute the delta as Reflex does for
  an update (`_get_resolved_delta`, `_clean`) and hand it to `emit_update`.
- **app push, small state**: the same one-int change through the app's push path:
  `notify_each_patiently` (tab registry in Redis), the push queue, `rx.App.modify_state`
  with the app's state manager (`PatientStateManagerRedis`: save and release in one script).
- **app push**: what a group member's tab pays per message: the same path with
  `message_push._message_arrived`, the change `publish_sent` queues, into the tab of a
  member who has the group open on its newest 50 messages and 61 chats in the list (built
  with the app's handlers: tests/load/push_floor_tab.py).

CPU per push is this process's `time.process_time()` plus Redis's `INFO cpu`
(used_cpu_sys + used_cpu_user, less its idle rate) over the measured pushes. Updates are
serialised as Socket.IO would, not sent: the websocket write is outside every figure
(the relay's 0.74 ms per message includes its own). The read a member's tab schedules a
second later is an event of its own and is not run. The app push's Redis commands (one
round trip each) and the bytes it loads and saves per state are counted on 50 more pushes
with the client wrapped, and (unless `--no-profile`) 500 more run under cProfile.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from tests.support.engines import redis_server

RELAY_MS = 0.74  # the relay's CPU per message in the groups bench (docs/performance.md)
CASES = (
    ("floor", "floor: Reflex modify_state, one int"),
    ("app_push_small_state", "app push path, one int"),
    ("app_push", "app push, group member tab"),
)


def measure(redis_url: str, oplock: bool, args: argparse.Namespace, profile: bool) -> Any:
    """Run one measuring process; returns what it printed (a JSON object)."""
    env = {
        **os.environ,
        "REFLEX_REDIS_URL": redis_url,
        "REFLEX_OPLOCK_ENABLED": "true" if oplock else "false",
        "REFLEX_TELEMETRY_ENABLED": "false",
        # A loopback-only server: its first account (the bench sender) needs no setup code.
        "REFLEX_BACKEND_HOST": "127.0.0.1",
    }
    command = [sys.executable, "-m", "tests.load.push_floor_run", "--redis-url", redis_url]
    command += ["--pushes", str(args.pushes), "--tabs", str(args.tabs)]
    if profile:
        command.append("--profile")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the measuring process failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(result: dict[str, Any]) -> None:
    """Print one setting's figures."""
    print(f"\nREFLEX_OPLOCK_ENABLED={str(result['oplock']).lower()}, {result['tabs']} tabs")
    print(f"{'case':40} {'app ms':>7} {'redis ms':>8} {'total ms':>8} {'÷ relay':>7}")
    for key, label in CASES:
        row = result[key]
        ratio = row["total_ms"] / RELAY_MS
        print(
            f"{label:40} {row['app_ms']:7.3f} {row['redis_ms']:8.3f} "
            f"{row['total_ms']:8.3f} {ratio:7.2f}"
        )
    for key in ("floor", "app_push"):
        row = result[key]
        if "round_trips" in row:
            trips = row["round_trips"]
            print(f"{key} Redis commands per push ({sum(trips.values()):.2f}): {trips}")
            print(f"{key} bytes per push by state: {row['bytes']}")
    if "update_bytes" in result["app_push"]:
        print(f"app_push update frame: {result['app_push']['update_bytes']:.0f} B")
    if "profile" in result["app_push"]:
        print("app_push under cProfile (shares of the profiled time): its steps, then own time")
        for line in result["app_push"]["profile"]:
            print("  " + line)


def main() -> None:
    """Start Redis, measure with opportunistic locking off and on, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--tabs", type=int, default=10)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--no-oplock", action="store_true")
    args = parser.parse_args()
    settings = [False] if args.no_oplock else [False, True]
    with redis_server() as redis:
        for oplock in settings:
            result = measure(redis.url, oplock, args, profile=not args.no_profile and not oplock)
            report(result)


if __name__ == "__main__":
    main()

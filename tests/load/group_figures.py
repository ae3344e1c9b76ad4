"""The groups phase's figures for report.py: per group size and run (steady, burst).

A size's figures are keyed by its place in `Plan.group_sizes` (`groups_0` …), as the
fan-out's are by "small" and "large"; labels name the sizes and rates of the plan. The
CPU per delivered copy is also shown relative to the relay's CPU per message in the same
round's latency phase (the issue's target: at most 1.0 times).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.load.scenarios import Plan

Result = dict[str, Any]
Reader = Callable[[Result], float | None]
Figure = tuple[str, str, str, Reader]

# As many sizes as the full benchmark has; a smaller plan leaves the others' rows out.
SIZES = len(Plan().group_sizes)
RUN_LABELS = {
    "steady": "at {group_rate} msg/s",
    "burst": "burst of {group_burst} at {group_burst_rate} msg/s",
}


def _group_run(size: int, run: str, read: Callable[[Result], float]) -> Reader:
    return lambda r: read(r["groups"]["sizes"][size][run])


def _delivered_percent(run: Result) -> float:
    return 100 * run["copies_delivered"] / run["copies_expected"]


# (key suffix, label before "group of …", unit, how to read it from one size's run)
PER_RUN: list[tuple[str, str, str, Callable[[Result], float]]] = [
    ("last_p50", "send → last member delivered p50", "ms", lambda r: r["last_p50_ms"]),
    ("last_p99", "send → last member delivered p99", "ms", lambda r: r["last_p99_ms"]),
    ("ack_p50", "send → acknowledged p50", "ms", lambda r: r["ack_p50_ms"]),
    ("cpu", "server CPU per delivered copy", "ms", lambda r: r["cpu_ms_per_copy"]),
    (
        "bytes",
        "websocket bytes per delivered copy (recipients)",
        "B",
        lambda r: r["bytes_per_copy"],
    ),
    ("delivered", "copies delivered of those expected", "%", _delivered_percent),
    ("duplicates", "copies shown twice", "copies", lambda r: r["duplicates"]),
]


def group_figures() -> list[Figure]:
    """Every size's and run's rows, in the order the table shows them."""
    members_lists: Figure = (
        "groups_conversations",
        "conversations in each group member's chat list (the measured group and quiet ones)",
        "chats",
        lambda r: r["groups"].get("conversations_per_member"),
    )
    return [members_lists] + [
        (
            f"groups_{size}_{run}_{suffix}",
            f"{label}, group of {{group_{size}}}, {run_label}",
            unit,
            _group_run(size, run, read),
        )
        for size in range(SIZES)
        for run, run_label in RUN_LABELS.items()
        for suffix, label, unit, read in PER_RUN
    ]


def cpu_against_relay() -> list[Figure]:
    """Rows of CPU per delivered copy ÷ the relay's CPU per message @ 100 msg/s: each
    reads `{"server": one server's result, "relay": the relay's}` of one round."""
    rows: list[Figure] = []
    for size in range(SIZES):
        for run, label in RUN_LABELS.items():
            copy = _group_run(size, run, lambda r: r["cpu_ms_per_copy"])

            def ratio(both: Result, copy: Reader = copy) -> float | None:
                per_copy = copy(both["server"])
                relay = both["relay"]["latency"]["cpu_ms_per_message"]
                return None if per_copy is None else per_copy / relay

            rows.append(
                (
                    f"groups_{size}_{run}_cpu_vs_relay",
                    f"CPU per delivered copy ÷ the relay's CPU per message @ 100 msg/s "
                    f"(same round), group of {{group_{size}}}, {label}",
                    "times",
                    ratio,
                )
            )
    return rows


def group_sizes(plan: Plan) -> dict[str, str]:
    """The labels' placeholders for `plan`'s group sizes and rates."""
    sizes = {
        f"group_{size}": f"{plan.group_sizes[size]:,}" if size < len(plan.group_sizes) else "-"
        for size in range(SIZES)
    }
    return {
        **sizes,
        "group_rate": f"{plan.group_rate:g}",
        "group_burst": f"{plan.group_burst:,}",
        "group_burst_rate": f"{plan.group_burst_rate:g}",
    }

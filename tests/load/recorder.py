"""What the load generator measures: send, acknowledgement and delivery times, and bytes.

Every message body is `m <user>.<n> <send time in ns>`: the sequence number and the send
timestamp travel with the message, and the receiver takes its arrival time on receipt.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

BODY = re.compile(r"m (\d+)\.(\d+) (\d+)")


def now_ns() -> int:
    return time.perf_counter_ns()


def body_for(user_index: int, number: int, sent_ns: int) -> str:
    return f"m {user_index}.{number} {sent_ns}"


@dataclass
class Recorder:
    """Times in nanoseconds of one measured phase, keyed by `(user index, number)`."""

    sent: dict[tuple[int, int], int] = field(default_factory=dict)
    acknowledged: dict[tuple[int, int], int] = field(default_factory=dict)
    delivered: dict[tuple[int, int], int] = field(default_factory=dict)
    duplicates: int = 0
    active: bool = True

    def on_sent(self, key: tuple[int, int], at_ns: int) -> None:
        if self.active:
            self.sent[key] = at_ns

    def on_acknowledged(self, key: tuple[int, int], at_ns: int) -> None:
        if key in self.sent and key not in self.acknowledged:
            self.acknowledged[key] = at_ns

    def on_delivered(self, key: tuple[int, int], at_ns: int) -> None:
        if key not in self.sent:
            return
        if key in self.delivered:
            self.duplicates += 1
            return
        self.delivered[key] = at_ns

    def delivery_ms(self) -> list[float]:
        return [(self.delivered[k] - self.sent[k]) / 1e6 for k in self.delivered]

    def acknowledgement_ms(self) -> list[float]:
        return [(self.acknowledged[k] - self.sent[k]) / 1e6 for k in self.acknowledged]

    def missing(self) -> int:
        return len(self.sent) - len(self.delivered)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with `fraction` of all at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered) - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]

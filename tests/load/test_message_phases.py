"""The message meter (tests/load/message_phases.py) measures every phase of real messages."""

from __future__ import annotations

from chat_app.realtime import push
from chat_app.states import read_receipts
from tests.load.message_phases import PHASES, measure_on_fresh_database


async def test_every_phase_of_every_message_is_measured_and_the_globals_are_restored():
    push_later, bound_app = read_receipts.push_later, push._app

    # Under the rate limit the suite runs with: 3 messages each, warm-up included.
    phases = await measure_on_fresh_database(messages=4, warm_up=2)

    assert phases.messages == 4
    figures = phases.per_message_ms()
    assert all(figures[name] > 0 for name in PHASES), figures
    assert abs(figures["total"] - sum(figures[name] for name in PHASES)) < 1e-9
    assert read_receipts.push_later is push_later
    assert push._app is bound_app  # whatever an earlier test left bound

"""The worker's garbage collector once it has started (chat_app/realtime/gc_pauses.py)."""

from __future__ import annotations

import gc

import pytest

from chat_app.realtime import gc_pauses


async def test_the_startup_heap_is_frozen_and_young_objects_collected_less_often(
    monkeypatch: pytest.MonkeyPatch,
):
    async def no_wait(_seconds: float) -> None:
        return None

    monkeypatch.setattr(gc_pauses.asyncio, "sleep", no_wait)
    thresholds = gc.get_threshold()
    try:
        await gc_pauses.freeze_startup_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (gc_pauses.YOUNG_THRESHOLD, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)

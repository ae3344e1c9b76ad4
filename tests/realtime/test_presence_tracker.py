"""The in-process tracker reports only transitions, per user, over many tabs."""

from __future__ import annotations

from chat_app.realtime.presence import PresenceTracker
from chat_app.realtime.registry import TabRegistry


def test_online_with_the_first_tab_offline_after_the_last():
    tracker = PresenceTracker()
    assert tracker.connect(1, "tab-a") is True
    assert tracker.connect(1, "tab-b") is False
    assert tracker.connect(1, "tab-a") is False  # a re-hydrated tab
    assert tracker.disconnect(1, "tab-a") is False
    assert tracker.is_online(1)
    assert tracker.disconnect(1, "tab-b") is True
    assert not tracker.is_online(1)
    assert tracker.disconnect(1, "tab-b") is False  # a second departure check is a no-op
    assert tracker.disconnect(2, "never-seen") is False


def test_registry_moves_a_tab_to_the_user_who_logs_in_on_it():
    registry = TabRegistry()
    registry.register(1, "tab", "hash-1")
    registry.register(2, "tab", "hash-2")
    assert registry.user_of("tab") == 2
    assert registry.tabs_of(1) == []
    registry.unregister("tab")
    assert registry.user_of("tab") is None

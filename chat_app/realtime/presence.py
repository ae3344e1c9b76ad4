"""Who is online: the connected tabs of each user (in-process).

A user is online while at least one tab is connected. Methods report transitions, so only
changes are announced.
"""

from __future__ import annotations

import threading


class PresenceTracker:
    """user id → connected tab tokens."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tabs: dict[int, set[str]] = {}

    def connect(self, user_id: int, tab_token: str) -> bool:
        """Count a tab as connected.

        Args:
            user_id: The tab's user.
            tab_token: The tab's Reflex client token.

        Returns:
            True when this made the user go from offline to online.
        """
        with self._lock:
            tabs = self._tabs.setdefault(user_id, set())
            was_offline = not tabs
            tabs.add(tab_token)
            return was_offline

    def disconnect(self, user_id: int, tab_token: str) -> bool:
        """Count a tab as gone.

        Args:
            user_id: The tab's user.
            tab_token: The tab's Reflex client token.

        Returns:
            True when this was the user's last tab (the user is now offline).
        """
        with self._lock:
            tabs = self._tabs.get(user_id)
            if not tabs or tab_token not in tabs:
                return False
            tabs.discard(tab_token)
            if tabs:
                return False
            del self._tabs[user_id]
            return True

    def is_online(self, user_id: int) -> bool:
        """Whether the user has a connected tab.

        Args:
            user_id: The user.

        Returns:
            True while at least one tab is connected.
        """
        with self._lock:
            return bool(self._tabs.get(user_id))

    def clear(self) -> None:
        """Forget everyone (a fresh process starts empty; tests start each case so)."""
        with self._lock:
            self._tabs.clear()


presence_tracker = PresenceTracker()

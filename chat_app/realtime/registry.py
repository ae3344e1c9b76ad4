"""Which browser tab belongs to which user and device session (in-process).

Reflex knows tabs (client tokens) but not users; this registry is filled by the on_load
handler of every page, which runs again after each reconnect.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class TabEntry:
    """A connected tab: its Reflex client token and the hash of its login session."""

    tab_token: str
    session_hash: str


class TabRegistry:
    """user id → tabs. Thread-safe, since services run on worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tabs_by_user: dict[int, dict[str, str]] = {}
        self._user_by_tab: dict[str, int] = {}

    def register(self, user_id: int, tab_token: str, session_hash: str) -> None:
        """Record that a tab is logged in as a user (moving it if it was someone else's).

        Args:
            user_id: The logged-in user.
            tab_token: The tab's Reflex client token.
            session_hash: The hash of the tab's session token.
        """
        with self._lock:
            self._remove(tab_token)
            self._tabs_by_user.setdefault(user_id, {})[tab_token] = session_hash
            self._user_by_tab[tab_token] = user_id

    def unregister(self, tab_token: str) -> None:
        """Forget a tab (logged out or gone).

        Args:
            tab_token: The tab's Reflex client token.
        """
        with self._lock:
            self._remove(tab_token)

    def user_of(self, tab_token: str) -> int | None:
        """The user a tab is logged in as, if any.

        Args:
            tab_token: The tab's Reflex client token.

        Returns:
            The user id, or None for an unknown or logged-out tab.
        """
        with self._lock:
            return self._user_by_tab.get(tab_token)

    def tokens_of(self, user_id: int, excluding: str = "") -> list[str]:
        """The Reflex client tokens of a user's tabs, less one (usually the caller's own).

        Args:
            user_id: The user.
            excluding: A tab token to leave out (a tab never pushes to itself).

        Returns:
            A snapshot of the tokens.
        """
        return [entry.tab_token for entry in self.tabs_of(user_id) if entry.tab_token != excluding]

    def tabs_of(self, user_id: int) -> list[TabEntry]:
        """The tabs a user has registered.

        Args:
            user_id: The user.

        Returns:
            A snapshot of their tabs.
        """
        with self._lock:
            tabs = self._tabs_by_user.get(user_id, {})
            return [TabEntry(tab, session_hash) for tab, session_hash in tabs.items()]

    def clear(self) -> None:
        """Forget every tab (a fresh process starts empty; tests start each case so)."""
        with self._lock:
            self._tabs_by_user.clear()
            self._user_by_tab.clear()

    def _remove(self, tab_token: str) -> None:
        user_id = self._user_by_tab.pop(tab_token, None)
        if user_id is None:
            return
        tabs = self._tabs_by_user.get(user_id, {})
        tabs.pop(tab_token, None)
        if not tabs:
            self._tabs_by_user.pop(user_id, None)


tab_registry = TabRegistry()

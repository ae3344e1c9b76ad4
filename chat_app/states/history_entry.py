"""An open conversation's entry in the browser's history: the back gesture closes it.

The chat is one page, so opening a conversation added nothing to the browser's history and
a phone's back gesture (or the browser's Back) left the app instead of going back to the
chat list, as it does in every chat app on a phone. Opening a conversation now moves the
address to `/#chat` once (a new history entry; Reflex's router loads nothing for a change
of the fragment alone). Back returns to `/`, and Reflex runs the page's load for that:
the load sees a tab that showed a conversation from that entry at an address without it,
and closes the conversation as the header's back button does.

Switching between conversations keeps the one entry (Back goes to the list, not through
every conversation opened). The header's back button closes the conversation at once and
then takes the browser back off the entry this tab added (Reflex's own
`rx.event.back()`), so the next Back leaves the app instead of only changing the address.
Links back to the chat from other pages carry the fragment while a conversation is open
(components/chat_href.py), so they return to it. Back with one of the conversation's
dialogs open closes the dialog only, as a phone's Back closes a sheet before its screen,
and gives the entry back (states/conversation_dialogs.py).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from chat_app import routes

FRAGMENT = routes.CHAT_WITH_CONVERSATION.partition("#")[2]


class HistoryEntry(rx.State, mixin=True):
    """Whether this tab's address carries the open conversation's history entry."""

    _in_history: bool = False
    # This tab added the entry itself: the one before it is this page's (not so for an
    # address opened as it is, from a bookmark or after a backend restart).
    _pushed_entry: bool = False

    def _at_entry(self) -> bool:
        return self.router.url.fragment == FRAGMENT

    def _with_entry(self, events: Any, showing: bool, loading: bool = False) -> list[Any]:
        """`events`, then the redirect giving the conversation shown its entry if it lacks one.

        Args:
            events: What opening or loading the conversation returned (None, one or a list).
            showing: A conversation is shown now (else `events` only).
            loading: Called by the page's load. A click's open that overtook the page's
                first load (right after a connect) is not taken as in the history yet: that
                load's address is from before the redirect and would read as Back. The load
                then gives the entry.

        Returns:
            The events, as a list.
        """
        listed = [] if events is None else events if isinstance(events, list) else [events]
        if not showing:
            return listed
        if loading or self._page_loaded():
            self._in_history = True
        if self._at_entry():
            return listed
        self._pushed_entry = True
        return [*listed, rx.redirect(routes.CHAT_WITH_CONVERSATION)]

    def _page_loaded(self) -> bool:
        return bool(getattr(self._get_root_state(), "is_hydrated", False))

    def _off_entry(self) -> list[Any]:
        """Back off the entry this tab added, once the conversation is closed (none else)."""
        if not (self._pushed_entry and self._at_entry()):
            return []
        self._in_history = self._pushed_entry = False
        return [rx.event.back()]

    def _back_pressed(self) -> bool:
        """Whether this load is Back from the open conversation's entry (nothing forgotten)."""
        return self._in_history and not self._at_entry()

    def _went_back(self) -> bool:
        """Whether this load is Back from the open conversation's entry (then forgotten)."""
        if not self._back_pressed():
            return False
        self._in_history = self._pushed_entry = False
        return True

    def _entry_again(self) -> Any:
        """The redirect giving the open conversation back the entry Back took from it.

        Back with a dialog open closes only the dialog (states/chat_page.py); the next Back
        must close the conversation, not leave the app.
        """
        self._pushed_entry = True
        return rx.redirect(routes.CHAT_WITH_CONVERSATION)

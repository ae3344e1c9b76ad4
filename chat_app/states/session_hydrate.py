"""At every (re)connect a tab is logged in only by the token its browser sends again.

AuthState keeps the session's sha256 server-side (`_token_hash`), so that Redis never
holds the token itself. Reflex resets the browser-storage vars at each hydrate and applies
the browser's copies; this middleware forgets the hash at the same moment. Otherwise a
client reconnecting with a tab's Reflex client token (not a secret: it travels in the
socket's URL) but without the login token would be served as that tab's user.
"""

from __future__ import annotations

from typing import Any

from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, State, StateUpdate
from reflex_base.event import Event

from chat_app.states.auth import AuthState

HYDRATE = f"{State.get_full_name()}.hydrate_and_load"


class SessionNeedsItsToken(Middleware):
    """Forget the tab's session hash on hydrate; the browser's token, if any, restores it."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        """Run before Reflex's hydrate applies the browser's storage values.

        Args:
            app: The app.
            state: The tab's root state.
            event: The event about to run.

        Returns:
            None: the event always runs.
        """
        if event.name == HYDRATE:
            auth = await state.get_state(AuthState)
            if auth._token_hash:
                auth._token_hash = ""
        return None

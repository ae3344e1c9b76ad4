"""Who the tab is: its Reflex client token and address, read cheaply on hot paths.

`state.router` builds a new `RouterData` (session, headers, page, URL) on every read; the
session part alone is one field of the state. A delivered message reads the tab's token or
address about five times (the send's session check and push, the recipient's read a second
later and its receipt): through `router` that was 3 % of the worker's Python time at 100
msg/s (`py-spy record --gil`, 2026-12-03); the field costs under a third per read (24 → 7 µs). Reflex keeps the field equal to
`router.session` (it assembles `router` from it); tests/states/test_tab_identity.py checks.
"""

from __future__ import annotations

import reflex as rx
from reflex.istate.data import SessionData


def tab_session_of(state: rx.State) -> SessionData:
    """The tab's connection data, `state.router.session`: its client token and address.

    Args:
        state: Any state of the tab.

    Returns:
        The session data (`client_token`, `client_ip`, `session_id`).
    """
    return state.rx_router_session

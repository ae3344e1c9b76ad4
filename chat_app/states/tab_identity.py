"""Which tab an event or a push runs for, and from where: read without building a RouterData.

`state.router` assembles a new `RouterData` (session, headers, page, URL) on every access:
3.6 % of the worker's Python time per message when the hot path asked it four times for
the tab's token and once for its address (py-spy, 2026-12-04). Reflex keeps the session
part as a field of its own, `rx_router_session`, the same object `state.router.session`
returns.
"""

from __future__ import annotations

import reflex as rx


def tab_token(state: rx.State) -> str:
    """The tab's client token: what pushes, the tab registry and the outbox name it by.

    Args:
        state: Any state of the tab.

    Returns:
        The token ("" before the tab's first event set it).
    """
    return state.rx_router_session.client_token


def client_address(state: rx.State) -> str:
    """The address the tab's socket came from (the last proxy's, if there is one).

    Args:
        state: Any state of the tab.

    Returns:
        The address as Reflex saw it ("" when unknown).
    """
    return state.rx_router_session.client_ip

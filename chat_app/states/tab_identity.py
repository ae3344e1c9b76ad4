"""Which tab an event or a push runs for, and from where: read without building a RouterData.

`state.router` assembles a new `RouterData` (session, headers, page, URL) on every access:
3.6 % of the worker's Python time per message when the hot path asked it four times for
the tab's token and once for its address (py-spy, 2026-12-04). Reflex keeps the session
part as a field of its own, `rx_router_session`, the same object `state.router.session`
returns.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def tab_token(state: rx.State) -> str:
    """The tab's client token: what pushes, the tab registry and the outbox name it by.

    Args:
        state: Any state of the tab.

    Returns:
        The token ("" before the tab's first event set it).
    """
    return _router_session(state).client_token


def client_address(state: rx.State) -> str:
    """The address the tab's socket came from (the last proxy's, if there is one).

    Args:
        state: Any state of the tab.

    Returns:
        The address as Reflex saw it ("" when unknown).
    """
    return _router_session(state).client_ip


def _router_session(state: rx.State) -> Any:
    """The tab's `RouterSession`, as the root state stores it.

    Read through the field, the dataclass comes wrapped in a new change-tracking proxy on
    every read (1.5 % of the worker's Python time per message, py-spy 2026-12-04); nothing
    here changes it.
    """
    root = state._get_root_state()
    stored = root.__dict__.get("rx_router_session")
    return stored if stored is not None else root.rx_router_session

"""The one session guard: a handler runs for the tab's signed-in user, or the tab goes to /auth.

Every public handler is a remote endpoint, so each re-derives its user from the server-side
session. `@signed_in` does it in one place: it resolves the tab's session (once per event
chain, `session_guard.py`), sends a tab without a valid session to the login page, lets a
state that keeps per-user data follow a change of user (`FollowsViewer`), and calls the
handler with the user's id as its first argument after `self`.

The id is not part of the event's payload: the wrapper's signature (what Reflex and the
argument guard read) leaves it out, so a client cannot send one (the wrapper: `guard.py`).

    @rx.event
    @signed_in
    async def open_conversation(self, viewer_id: int, conversation_id: int): ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeGuard, TypeVar, runtime_checkable

import reflex as rx

from chat_app.services.sessions import SessionKey
from chat_app.states.auth import AuthState
from chat_app.states.guard import guarded

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound=rx.State)


@runtime_checkable
class FollowsViewer(Protocol):
    """A state holding per-user data: told who the viewer is before each guarded handler."""

    def _follow_viewer(self, user_id: int | None, link_key: SessionKey | None) -> None:
        """Forget the previous user's data if `user_id` differs; keep the link key."""
        ...


# Per state class: `isinstance` against a runtime-checkable protocol looks each member up on
# the instance, and a miss goes through Reflex's state `__getattr__`: 10-22 µs on every
# guarded event, for an answer that never changes for a class.
_FOLLOWS: dict[type, bool] = {}


def _follows_viewer(state: rx.State) -> TypeGuard[FollowsViewer]:
    follows = _FOLLOWS.get(type(state))
    if follows is None:
        follows = _FOLLOWS[type(state)] = isinstance(state, FollowsViewer)
    return follows


async def viewer_id_of(state: rx.State) -> int | None:
    """The id of the tab's signed-in user, or None (resolved once per event chain).

    A state that keeps per-user data (`FollowsViewer`) is told the answer, so it never
    shows one user's data to the next user of the tab.

    Args:
        state: Any state of the tab.

    Returns:
        The user's id, or None when the tab has no valid session.
    """
    auth = await state.get_state(AuthState)
    user = await auth._current_user()
    if _follows_viewer(state):
        link_key = await auth._link_key() if user is not None else None
        state._follow_viewer(user.id if user is not None else None, link_key)
    return user.id if user is not None else None


def signed_in(
    handler: Callable[Concatenate[S, int, P], R],
) -> Callable[Concatenate[S, P], R]:
    """Decorate a handler that needs the signed-in user (put it under `@rx.event`).

    Args:
        handler: `async def handler(self, viewer_id: int, ...)`, a coroutine or an async
            generator.

    Returns:
        The handler as Reflex registers it: without `viewer_id` in its signature.
    """
    return guarded(handler, viewer_id_of)

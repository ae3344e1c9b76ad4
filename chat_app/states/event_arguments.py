"""Every event's arguments are checked against its handler's signature before it runs.

Every public method of an rx.State is a remote endpoint, and Reflex passes the payload a
client sends straight to it as keyword arguments: a wrong or missing name is a TypeError
(a traceback per forged event), a dict where a handler declares `int` reaches the handler
as a dict. This middleware drops, before any handler runs, an event whose payload does not
fit: its names must be the handler's parameters (those with defaults may be left out) and
each value of the annotated type (`bool` is not an `int`; an `int` fits in 64 bits).
Reflex's own handlers are covered too; `setvar(var_name, value)` must name a setter the
state has, and `value` must fit that setter. A dropped event changes nothing and logs
nothing (a client can send them as fast as it likes). An event that names no registered
handler is dropped the same way as it arrives (`refuse_unknown_events`). Handlers still
check what their annotation cannot say (a known id, a length).
"""

from __future__ import annotations

import functools
import inspect
import logging
import types
import typing
from typing import Any

from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event, EventHandler
from reflex_base.registry import RegistrationContext

logger = logging.getLogger(__name__)

INT_LIMIT = 2**63  # what a database integer column holds


def fits(value: Any, hint: Any) -> bool:
    """Whether a value decoded from JSON (or built by Reflex) has the annotated type.

    Args:
        value: The argument.
        hint: Its resolved annotation; an annotation this does not know lets any value in.

    Returns:
        False only when the value certainly is not of that type.
    """
    if hint is Any or hint is inspect.Parameter.empty:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(fits(value, arg) for arg in typing.get_args(hint))
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        is_int = isinstance(value, int) and not isinstance(value, bool)
        return is_int and -INT_LIMIT <= value < INT_LIMIT
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if origin is list or hint is list:
        args = typing.get_args(hint)
        return isinstance(value, list) and (not args or all(fits(item, args[0]) for item in value))
    if origin is dict or hint is dict:
        return isinstance(value, dict)
    if isinstance(hint, type) and hint.__module__ != "builtins":
        # A class of the app or a library (an upload's files): only its instances.
        return isinstance(value, hint)
    return True


def _hints(handler: EventHandler) -> dict[str, Any]:
    hints = handler._type_hints  # resolved once by Reflex, None if it could not
    if hints is None:
        try:
            hints = typing.get_type_hints(handler.fn)
        except Exception:  # an annotation that does not resolve checks names only
            hints = {}
    return hints


@functools.cache
def _parameters(fn: Any) -> tuple[frozenset[str], frozenset[str], bool]:
    """A handler function's parameter names, the required ones, and whether it has **kwargs."""
    parameters = list(inspect.signature(fn).parameters.values())[1:]  # not `self`
    return (
        frozenset(p.name for p in parameters),
        frozenset(p.name for p in parameters if p.default is p.empty),
        any(p.kind is p.VAR_KEYWORD for p in parameters),
    )


def payload_fits(handler: EventHandler, payload: Any) -> bool:
    """Whether `payload` is a valid set of keyword arguments for `handler`.

    Args:
        handler: The event handler.
        payload: The event's payload as the client sent it.

    Returns:
        True if the handler may be called with it.
    """
    if not isinstance(payload, dict):
        return False
    names, required, any_keyword = _parameters(handler.fn)
    if any_keyword:
        return True
    if not required <= payload.keys() <= names:
        return False
    hints = _hints(handler)
    return all(fits(value, hints.get(name, Any)) for name, value in payload.items())


def _setvar_fits(state_class: type[BaseState], payload: dict[str, Any]) -> bool:
    """`setvar(var_name, value)` calls `set_<var_name>(value)`: check that call instead."""
    var_name = payload.get("var_name")
    if not isinstance(var_name, str) or "value" not in payload:
        return False
    setter = state_class.event_handlers.get(f"set_{var_name}")
    if setter is None:
        return False
    parameters = list(inspect.signature(setter.fn).parameters)[1:]
    return len(parameters) == 1 and payload_fits(setter, {parameters[0]: payload["value"]})


def event_fits(event: Event) -> bool:
    """Whether an event names a registered handler and its payload fits that handler.

    Args:
        event: The event as received.

    Returns:
        True if it may run.
    """
    registered = RegistrationContext.get().event_handlers.get(event.name)
    if registered is None:
        return True  # Reflex itself refuses an unknown name
    handler = registered.handler
    if handler.fn.__name__ == "setvar":
        return isinstance(event.payload, dict) and _setvar_fits(registered.states[0], event.payload)
    return payload_fits(handler, event.payload)


def refuse_unknown_events(app: Any) -> None:
    """Drop, as it arrives, an event that names no registered handler.

    Reflex would queue it and then log "No registered handler found" with a traceback,
    once per forged event. A name is part of the event's arguments like its payload.

    Args:
        app: The app, after `rx.App(...)` created its event namespace.
    """
    namespace = app.event_namespace
    if namespace is None:
        return
    receive = namespace.on_event

    async def on_event(sid: str, data: Any) -> None:
        name = data.get("name") if isinstance(data, dict) else None
        try:
            known = isinstance(name, str) and name in RegistrationContext.get().event_handlers
        except LookupError:  # no registry here: let Reflex decide
            known = True
        if not known:
            logger.debug("dropped an event that names no handler")
            return
        await receive(sid, data)

    namespace.on_event = on_event


class ArgumentGuard(Middleware):
    """Drops every event whose arguments do not fit its handler (see the module docstring)."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        """Let a fitting event through; answer any other with an empty update.

        Args:
            app: The app.
            state: The tab's root state.
            event: The event received.

        Returns:
            None to run the handler, an empty update to drop the event.
        """
        if event_fits(event):
            return None
        # The handler's name only: payloads are the client's text, never logged.
        logger.debug("dropped an event whose arguments do not fit %s", event.name[-80:])
        return StateUpdate()

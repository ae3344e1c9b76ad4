"""Helpers to drive state handlers directly, as a browser tab would, without a server."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from chat_app.realtime import push
from chat_app.realtime.registry import tab_registry

S = TypeVar("S", bound=rx.State)


def make_tab(state_cls: type[S], *, token: str = "tab-1", ip: str = "10.0.0.1") -> S:
    """A fresh root state for one tab, with router data like a real connection's."""
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"token": token, "ip": ip, "headers": {"user-agent": "pytest"}, "pathname": "/"}
    )
    state = root.get_substate(state_cls.get_full_name().split(".")[1:])
    assert isinstance(state, state_cls)
    return state


async def run(handler: Callable[..., Any], *args: Any) -> list[Any]:
    """Call a handler like Reflex does and collect what it returned or yielded."""
    result = handler(*args)
    if inspect.isasyncgen(result):
        return [item async for item in result if item is not None]
    if inspect.isawaitable(result):
        result = await result
    if result is None:
        return []
    return list(result) if isinstance(result, list) else [result]


@pytest.fixture
async def tab_factory(engine, monkeypatch):
    """Make tabs bound to the per-test database (via the `engine` fixture).

    No app is bound for pushes, even after a test module imported `chat_app.chat_app`:
    a bound app would find these server-less tabs unconnected and unregister them.
    """
    monkeypatch.setattr(push, "_app", None)
    await tab_registry.clear()
    yield make_tab
    await tab_registry.clear()

"""A tab's language set and read through a state manager directly, as an event would."""

from __future__ import annotations

import asyncio
import time

import reflex as rx
from reflex.istate.manager import StateManager

from chat_app.states.ui import UiState


async def set_language(manager: StateManager, token: rx.BaseStateToken, language: str) -> None:
    async with manager.modify_state(token) as root:
        (await root.get_state(UiState)).language = language


async def language_of(manager: StateManager, token: rx.BaseStateToken) -> str:
    async with manager.modify_state(token) as root:
        return (await root.get_state(UiState)).language


async def until(condition, timeout: float = 10.0) -> None:
    """Wait until `condition()` holds (checked every 20 ms), failing after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        await asyncio.sleep(0.02)

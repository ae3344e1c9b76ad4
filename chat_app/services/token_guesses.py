"""Throttling of guessed tokens: invite links, password-reset links and the setup code.

Every wrong token a client address presents is counted for an hour; past the limit
(CHAT_TOKEN_GUESSES_PER_HOUR) that address is refused before any token is looked at, so
guessing a 256-bit token, or the setup code, is hopeless. Right tokens are not counted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session, col, delete, func, select

from chat_app.models import TokenGuess
from chat_app.services.errors import RateLimited
from chat_app.settings import SETTINGS, Settings

GUESS_WINDOW = timedelta(hours=1)
MAX_ADDRESS_LENGTH = 64
TokenKind = Literal["invite", "reset", "setup"]


def check_allowed(
    *, session: Session, client_address: str, now: datetime, settings: Settings = SETTINGS
) -> None:
    """Refuse an address that guessed wrong too often within the hour.

    Raises:
        RateLimited: This address is over the limit.
    """
    since = now - GUESS_WINDOW
    count = session.exec(
        select(func.count())
        .select_from(TokenGuess)
        .where(
            TokenGuess.client_address == client_address[:MAX_ADDRESS_LENGTH],
            col(TokenGuess.created_at) > since,
        )
    ).one()
    if count >= settings.token_guesses_per_hour:
        raise RateLimited()


def count_wrong_guess(
    *, session: Session, client_address: str, kind: TokenKind, now: datetime
) -> None:
    """Remember one wrong token from this address, and forget old ones (commits)."""
    session.exec(delete(TokenGuess).where(col(TokenGuess.created_at) <= now - GUESS_WINDOW))
    session.add(
        TokenGuess(client_address=client_address[:MAX_ADDRESS_LENGTH], kind=kind, created_at=now)
    )
    session.commit()

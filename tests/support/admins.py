"""Make a registered user an administrator in a running app's database (realtime, e2e)."""

from __future__ import annotations

from sqlmodel import Session, select

from chat_app.models import User
from chat_app.services import database


def promote_in(database_url: str, username: str) -> None:
    """Give `username` the administrator role, as the first-run setup or the CLI would."""
    engine = database.create_db_engine(database_url)
    try:
        with Session(engine) as session:
            user = session.exec(select(User).where(User.username == username)).one()
            user.role = "admin"
            session.add(user)
            session.commit()
    finally:
        engine.dispose()

"""Running the committed Alembic migrations up or down to a given revision, for data tests."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

PROJECT_DIR = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    """The project's migrations, pointed at the database at `url`."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_DIR / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    return config

"""`python -m chat_app.admin` against a migrated temporary database, as a server's owner runs it."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from chat_app.admin import cli
from chat_app.models import AuditEntry, User
from chat_app.services import database, instance_settings, passwords, setup_code
from chat_app.settings import load_settings
from tests.support.engines import PostgresCluster
from tests.support.live_app import PROJECT_DIR, app_environment, migrated_environment
from tests.support.users import make_user

SUBCOMMANDS = [
    "create-admin",
    "promote",
    "reset-password",
    "list-users",
    "registration",
    "setup-code",
]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a server with a fresh migrated database and data folder."""
    return migrated_environment(tmp_path)[0]


def admin_tool(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chat_app.admin", *args],
        cwd=PROJECT_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def db(env: dict[str, str]) -> Iterator[Session]:
    engine = database.create_db_engine(env["REFLEX_DB_URL"])
    with Session(engine) as session:
        yield session
    engine.dispose()


def users(session: Session) -> dict[str, str]:
    session.expire_all()
    return {user.username: user.role for user in session.exec(select(User)).all()}


def audit_lines(session: Session) -> list[tuple[str, str, str, str]]:
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    return [(r.actor_name, r.action, r.target_name, r.detail) for r in rows]


def assert_refused(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result
    assert result.stderr.startswith("error: "), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_every_command_has_its_help(env):
    overview = admin_tool(env, "--help")
    assert overview.returncode == 0
    for name in SUBCOMMANDS:
        assert name in overview.stdout
        result = admin_tool(env, name, "--help")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"usage: python -m chat_app.admin {name}")


def test_the_setup_code_is_shown_until_an_administrator_exists(env, db):
    code = setup_code.code(load_settings(env))
    shown = admin_tool(env, "setup-code")
    assert shown.returncode == 0
    assert code in shown.stdout

    created = admin_tool(env, "create-admin", "owner", "--stdin", stdin="correct horse\n")
    assert created.returncode == 0, created.stderr
    again = admin_tool(env, "setup-code")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


def test_create_admin_from_stdin_is_an_audited_administrator(env, db):
    result = admin_tool(
        env, "create-admin", "Owner_1", "--nickname", "The Owner", "--stdin", stdin="s3cret pw\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Created the administrator Owner_1." in result.stdout
    assert users(db) == {"Owner_1": "admin"}
    user = db.exec(select(User)).one()
    assert user.nickname == "The Owner"
    assert "s3cret pw" not in user.password_hash
    assert audit_lines(db) == [("command line", "create_admin", "Owner_1", "")]
    listed = admin_tool(env, "list-users")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:3] == ["Owner_1", "admin", "active"]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create-admin", "ok_name", "--stdin"], "short\n", "password: Use at least 8"),
        (["create-admin", "x", "--stdin"], "correct horse\n", "username:"),
        (["create-admin", "ok_name"], "", "no terminal to ask for the password"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_1_and_stores_nothing(env, db, args, stdin, message):
    assert_refused(admin_tool(env, *args, stdin=stdin), message)
    assert users(db) == {}
    assert audit_lines(db) == []


def test_a_taken_username_is_refused(env, db):
    assert (
        admin_tool(env, "create-admin", "owner", "--stdin", stdin="correct horse\n").returncode == 0
    )
    result = admin_tool(env, "create-admin", "OWNER", "--stdin", stdin="correct horse\n")
    assert_refused(result, "That username is taken.")
    assert users(db) == {"owner": "admin"}


def test_registration_mode_is_set_and_audited(env, db):
    result = admin_tool(env, "registration", "invite")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Registration is now invite only."
    assert instance_settings.registration_mode(session=db) == "invite"
    assert audit_lines(db) == [("command line", "registration_mode", "", "invite")]
    unknown = admin_tool(env, "registration", "everyone")
    assert unknown.returncode == 2  # argparse's usage error, with the choices
    assert "invalid choice" in unknown.stderr
    assert instance_settings.registration_mode(session=db) == "invite"


def test_a_database_that_is_not_migrated_is_a_clear_error(tmp_path):
    (tmp_path / "data").mkdir()
    env = app_environment(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path / "data")
    assert_refused(admin_tool(env, "list-users"), "is it migrated")


def test_the_tool_works_on_postgresql(postgres_engine: PostgresCluster, tmp_path: Path):
    env, _log = migrated_environment(tmp_path, REFLEX_DB_URL=postgres_engine.create_database())
    created = admin_tool(env, "create-admin", "pg_owner", "--stdin", stdin="correct horse\n")
    assert created.returncode == 0, created.stderr
    assert admin_tool(env, "registration", "closed").returncode == 0
    listed = admin_tool(env, "list-users")
    assert listed.stdout.splitlines()[1].split()[:3] == ["pg_owner", "admin", "active"]
    engine = database.create_db_engine(env["REFLEX_DB_URL"])
    with Session(engine) as session:
        assert instance_settings.registration_mode(session=session) == "closed"
        assert [line[1] for line in audit_lines(session)] == ["create_admin", "registration_mode"]
    engine.dispose()


def test_promote_makes_an_existing_user_an_administrator(env, db):
    make_user(db, "teacher")
    result = admin_tool(env, "promote", "TEACHER")
    assert result.returncode == 0, result.stderr
    assert users(db) == {"teacher": "admin"}
    assert audit_lines(db) == [("command line", "promote", "teacher", "")]


@pytest.mark.parametrize("command", [["promote", "nobody"], ["reset-password", "nobody"]])
def test_an_unknown_user_is_a_clear_error(env, db, command):
    make_user(db, "somebody")
    assert_refused(admin_tool(env, *command), "no such user")
    assert audit_lines(db) == []


def test_reset_password_prints_a_one_time_path_to_complete_without_a_public_address(env, db):
    make_user(db, "forgetful")
    result = admin_tool(env, "reset-password", "forgetful")
    assert result.returncode == 0, result.stderr
    link = result.stdout.splitlines()[1].strip()
    assert link.startswith("/reset/")
    assert len(link) > len("/reset/") + 40
    assert "Put the server's address in front of it" in result.stdout
    assert audit_lines(db) == [("command line", "reset_link", "forgetful", "")]


def test_reset_password_prints_a_whole_link_with_the_public_address(env, db):
    make_user(db, "forgetful")
    result = admin_tool(
        {**env, "CHAT_PUBLIC_URL": "https://chat.example.org"}, "reset-password", "forgetful"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].strip().startswith("https://chat.example.org/reset/")
    assert "Put the server's address" not in result.stdout


def test_reset_password_from_stdin_sets_it(env, db):
    make_user(db, "forgetful")
    result = admin_tool(env, "reset-password", "forgetful", "--stdin", stdin="brand new pw\n")
    assert result.returncode == 0, result.stderr
    db.expire_all()
    stored = db.exec(select(User)).one().password_hash
    assert passwords.verify_password("brand new pw", stored)[0]
    assert_refused(
        admin_tool(env, "reset-password", "forgetful", "--stdin", stdin="short\n"),
        "password: Use at least 8",
    )


def test_setup_code_uses_the_key_an_older_installation_kept_in_its_old_folder(
    engine, tmp_path, monkeypatch, capsys
):
    legacy = tmp_path / "uploaded_files"
    legacy.mkdir()
    (legacy / ".secret_key").write_bytes(b"k" * 32)
    settings = dataclasses.replace(
        load_settings({"CHAT_DATA_DIR": str(tmp_path / "data")}), legacy_data_dir=legacy
    )
    monkeypatch.setattr(cli, "SETTINGS", settings)
    assert cli.main(["setup-code"]) == 0
    # The server, starting next, moves the old key into place too and derives the same code.
    assert (tmp_path / "data" / ".secret_key").read_bytes() == b"k" * 32
    assert setup_code.code(settings) in capsys.readouterr().out

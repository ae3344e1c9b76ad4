"""The sub-commands of `python -m chat_app.admin`, for a headless server.

Every change is made by a service that audits it (actor: "command line") and commits.
A person's mistake (an unknown user, the last administrator, a weak password) is one line
on standard error and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from chat_app import routes
from chat_app.i18n import text
from chat_app.services import (
    admin_rights,
    admin_settings,
    command_line,
    data_folder,
    database,
    password_resets,
    public_links,
    setup_code,
)
from chat_app.services.errors import DomainError, ValidationFailed
from chat_app.settings import SETTINGS

PROGRAM = "python -m chat_app.admin"
MODE_NAMES = {"open": "open", "invite": "invite only", "closed": "closed"}


class UsageError(Exception):
    """A request the tool cannot carry out; the message says what to do instead."""


def _read_password(from_stdin: bool) -> tuple[str, str]:
    """The new password and its confirmation: typed twice at a prompt, or one stdin line."""
    if from_stdin:
        line = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        return line, line
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the password: give it on standard input (--stdin)")
    return getpass.getpass("New password: "), getpass.getpass("The same password again: ")


def _create_admin(session: Session, args: argparse.Namespace) -> None:
    password, confirmation = _read_password(args.stdin)
    command_line.create_admin(
        session=session,
        username=args.name,
        nickname=args.nickname or args.name,
        password=password,
        password_confirm=confirmation,
    )
    print(f"Created the administrator {args.name.strip()}.")


def _promote(session: Session, args: argparse.Namespace) -> None:
    user_id = admin_rights.user_id_by_name(session=session, username=args.name)
    admin_rights.set_admin(session=session, actor_id=None, target_id=user_id, admin=True)
    print(f"{args.name.strip()} is an administrator.")


def _reset_password(session: Session, args: argparse.Namespace) -> None:
    user_id = admin_rights.user_id_by_name(session=session, username=args.name)
    if args.stdin:
        password, confirmation = _read_password(from_stdin=True)
        password_resets.set_password(
            session=session,
            actor_id=None,
            target_id=user_id,
            password=password,
            password_confirm=confirmation,
        )
        print(
            f"The password of {args.name.strip()} is changed; their sessions are ended "
            "(their open tabs go to the login page within a minute)."
        )
        return
    token = password_resets.create_reset(session=session, actor_id=None, target_id=user_id)
    link = public_links.link(f"{routes.RESET_PREFIX}/{token}")
    print(f"A one-time link to set a new password for {args.name.strip()} (valid 24 hours):")
    print(f"    {link}")
    if not SETTINGS.public_url:
        print(
            "Put the server's address in front of it (e.g. https://chat.example.org), or set "
            "CHAT_PUBLIC_URL so links come out whole."
        )


def _list_users(session: Session, _args: argparse.Namespace) -> None:
    print(f"{'USERNAME':<32}  {'ROLE':<5}  {'STATUS':<8}  {'CREATED':<10}  {'LAST SEEN':<16}")
    for line in command_line.user_lines(session=session):
        seen = line.last_seen_at.strftime("%Y-%m-%d %H:%M") if line.last_seen_at else "-"
        created = line.created_at.strftime("%Y-%m-%d")
        print(f"{line.username:<32}  {line.role:<5}  {line.status:<8}  {created:<10}  {seen:<16}")


def _registration(session: Session, args: argparse.Namespace) -> None:
    mode = admin_settings.set_registration_mode(session=session, actor_id=None, mode=args.mode)
    print(f"Registration is now {MODE_NAMES[mode]}.")


def _setup_code(session: Session, _args: argparse.Namespace) -> None:
    if setup_code.admin_exists(session=session):
        return
    # The key the server will sign with: an older installation's is moved into the data
    # folder first, as the server does at start (else a new one made here would lose).
    data_folder.prepare_data_folder(SETTINGS, served_dirs=[])
    print(setup_code.announcement(SETTINGS))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Administer the chat server: its database as configured for the app "
        "(REFLEX_DB_URL, CHAT_DATA_DIR). Every change is recorded in the audit log.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[..., None], summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(run=run)
        return sub

    create = command("create-admin", _create_admin, "Create an administrator account.")
    create.add_argument("name", help="the username (3-32 letters, digits or _)")
    create.add_argument("--nickname", help="the name others see (default: the username)")
    create.add_argument(
        "--stdin", action="store_true", help="read the password from one line of standard input"
    )
    command("promote", _promote, "Make an existing user an administrator.").add_argument(
        "name", help="the username"
    )
    reset = command(
        "reset-password",
        _reset_password,
        "Print a one-time link (valid 24 hours) with which the user sets a new password, or "
        "with --stdin set the password read from standard input.",
    )
    reset.add_argument("name", help="the username")
    reset.add_argument(
        "--stdin", action="store_true", help="set the password read from standard input"
    )
    command("list-users", _list_users, "List every account with its role and status.")
    command("registration", _registration, "Choose who may register.").add_argument(
        "mode",
        choices=list(MODE_NAMES),
        help="open: anyone; invite: with an invite link only; closed: nobody",
    )
    command(
        "setup-code",
        _setup_code,
        "Print the setup code that makes the first administrator (nothing once one exists).",
    )
    return parser


def _error_text(error: DomainError) -> str:
    """The refusal in English, as the app would show it (plus the field it is about)."""
    if isinstance(error, ValidationFailed):
        return "; ".join(f"{field}: {text(code)}" for field, code in error.field_errors.items())
    if error.code == "not_found":
        return "no such user"
    return text(error.code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command.

    Args:
        argv: The arguments (the process's own when omitted).

    Returns:
        The exit code: 0 done, 1 refused or failed (said on standard error), 2 bad usage.
    """
    args = _parser().parse_args(argv)
    try:
        with database.session_scope() as session:
            args.run(session, args)
    except DomainError as error:
        print(f"error: {_error_text(error)}", file=sys.stderr)
        return 1
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        reason = str(error.__cause__ or error).splitlines()[0][:200]
        print(
            "error: the database (REFLEX_DB_URL) cannot be used; is it migrated "
            f"(`reflex db migrate`)? {reason}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    return 0

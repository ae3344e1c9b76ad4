"""Peer 2: Flask-SocketIO on eventlet, in the style of the original app this one replaces.

One worker, one SQLite commit per message, emit to the recipient's room.
Usage: python -m tests.load.peers.flask_eventlet PORT DATABASE
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

from tests.load.peers.store import newest_page, open_store, store_message  # noqa: E402


def build(database: str) -> tuple[Flask, SocketIO]:
    """The original design: handlers store, then emit to the recipient's room."""
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="eventlet", ping_interval=5, ping_timeout=5)
    connection = open_store(database)
    users: dict[str, int] = {}

    @socketio.on("connect")
    def connect(auth: dict | None) -> None:
        user = int((auth or {})["user"])
        users[request.sid] = user  # type: ignore[attr-defined]
        join_room(f"user-{user}")

    @socketio.on("disconnect")
    def disconnect(*args: object) -> None:
        users.pop(request.sid, None)  # type: ignore[attr-defined]

    @socketio.on("send")
    def send(data: dict) -> dict:
        sender = users[request.sid]  # type: ignore[attr-defined]
        message = store_message(
            connection, sender, int(data["to"]), str(data["client_id"]), str(data["body"])
        )
        emit("message", message, to=f"user-{int(data['to'])}")
        return {"id": message["id"]}

    @socketio.on("history")
    def history(data: dict) -> list[dict]:
        return newest_page(connection, users[request.sid], int(data["with"]))  # type: ignore[attr-defined]

    return app, socketio


if __name__ == "__main__":
    port, database = int(sys.argv[1]), sys.argv[2]
    flask_app, server = build(database)
    # eventlet's WSGI server serves 1,024 connections at once by default; the memory
    # phase connects 1,500 clients.
    server.run(flask_app, host="127.0.0.1", port=port, log_output=False, max_size=10_000)

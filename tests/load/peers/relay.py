"""Peer 1: a minimal python-socketio relay on uvicorn, the floor of a Python websocket stack.

Usage: python -m tests.load.peers.relay PORT DATABASE
"""

from __future__ import annotations

import sys

import socketio
import uvicorn

from tests.load.peers.store import newest_page, open_store, store_message


def build(database: str) -> socketio.ASGIApp:
    """The relay: `send` stores and pushes to the recipient's room, `history` reads a page."""
    server = socketio.AsyncServer(async_mode="asgi", ping_interval=5, ping_timeout=5)
    connection = open_store(database)
    users: dict[str, int] = {}

    @server.event
    async def connect(sid: str, environ: dict, auth: dict | None) -> None:
        user = int((auth or {})["user"])
        users[sid] = user
        await server.enter_room(sid, f"user-{user}")

    @server.event
    async def disconnect(sid: str, *args: object) -> None:
        users.pop(sid, None)

    @server.event
    async def send(sid: str, data: dict) -> dict:
        message = store_message(
            connection, users[sid], int(data["to"]), str(data["client_id"]), str(data["body"])
        )
        await server.emit("message", message, to=f"user-{int(data['to'])}")
        return {"id": message["id"]}

    @server.event
    async def history(sid: str, data: dict) -> list[dict]:
        return newest_page(connection, users[sid], int(data["with"]))

    return socketio.ASGIApp(server)


if __name__ == "__main__":
    port, database = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(build(database), host="127.0.0.1", port=port, log_level="warning", ws="websockets")

"""Which worker process of a `reflex run` backend serves which raw client.

`reflex run --env prod` starts gunicorn as its child, whose workers are gunicorn's
children (chat_app/backend_server.py); with granian the workers are children of the
`reflex run` process itself. A tab's websocket is the worker's TCP connection whose remote
port is the tab's local port.
"""

from __future__ import annotations

import psutil

from tests.support.event_client import EventClient


def _supervisor(reflex_pid: int) -> psutil.Process:
    """Gunicorn's arbiter when `reflex run` started one, else the `reflex run` process."""
    root = psutil.Process(reflex_pid)
    for child in root.children():
        try:
            if any("gunicorn" in part for part in child.cmdline()):
                return child
        except psutil.NoSuchProcess:
            continue
    return root


def worker_pids(supervisor_pid: int) -> set[int]:
    """The live worker processes of a backend (a killed one not yet reaped is left out).

    Args:
        supervisor_pid: The `reflex run` process.

    Returns:
        Their process ids; empty once the supervisor is gone.
    """
    try:
        children = _supervisor(supervisor_pid).children()
    except psutil.NoSuchProcess:
        return set()
    pids = set()
    for child in children:
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                pids.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return pids


def serving_worker(tab: EventClient, pids: set[int]) -> int | None:
    """The worker among `pids` that holds the tab's open websocket, or None.

    Args:
        tab: A connected raw client.
        pids: Worker process ids (`worker_pids`).

    Returns:
        The process id, or None when no worker holds the connection.
    """
    client_port = tab.local_port
    for pid in pids:
        try:
            connections = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        if any(conn.raddr and conn.raddr.port == client_port for conn in connections):
            return pid
    return None

"""The phases run after the first five: many contacts, fan-out, many connections and
group conversations (app servers only: the peers have no groups).

Their users are seeded after the first phases' (indexes and names follow on), so those
phases meet the same users as before; each group is seeded only when its phase runs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from tests.load import contacts, crowd, group_chat, scenarios
from tests.load.scenarios import Plan
from tests.load.seed import (
    Seeded,
    pair_key,
    peer_users,
    seed_app_contacts,
    seed_app_group,
    seed_app_users,
)
from tests.load.servers import APPS, RunningServer

ADDED = ("contacts", "fanout", "connections", "groups")
Clients = Callable[[list[Seeded]], list[Any]]


def seed_added(kind: str, plan: Plan, database: str, phases: Collection[str]) -> dict[str, Any]:
    """The users of the added phases that will run, in the server's database if it has one."""
    groups: dict[str, Any] = {}
    first = plan.user_count()

    def seeded(count: int) -> list[Seeded]:
        nonlocal first
        app = kind in APPS
        users = seed_app_users(database, count, first) if app else peer_users(count, first)
        first += count
        return users

    if "contacts" in phases:
        groups["contacts"] = seeded(plan.contacts_users)
        if kind in APPS:
            history = plan.contacts_history
            groups["conversations"] = seed_app_contacts(database, groups["contacts"], history)
    if "fanout" in phases:
        groups["fanout"] = seeded(2)
    if "connections" in phases:
        groups["connections"] = seeded(plan.connections)
    if "groups" in phases and kind in APPS:
        # One crowd (seeded in pairs) for every size: a group of each size's first members.
        largest = max(plan.group_sizes)
        members = seeded(largest + largest % 2)
        groups["groups"] = members
        sizes = {size: seed_app_group(database, members[:size]) for size in plan.group_sizes}
        groups["group_ids"] = sizes
        # Quiet groups of everybody: each member's chat list is long, as a busy user's is.
        for number in range(plan.group_side_conversations):
            seed_app_group(database, members, name=f"Bench side group {number}")
    return groups


async def measure_added(
    kind: str,
    plan: Plan,
    server: RunningServer,
    groups: dict[str, Any],
    phases: Collection[str],
    clients: Clients,
) -> dict[str, Any]:
    """The added phases that were asked for, each after the server has gone quiet."""
    result: dict[str, Any] = {}
    if "contacts" in phases:
        await scenarios.wait_idle(server)
        users = _rotating(kind, groups, clients)
        result["contacts"] = await contacts.contacts(server, users, plan)
    if "fanout" in phases:
        await scenarios.wait_idle(server)
        sender, recipient = groups["fanout"]

        def tabs(count: int) -> list[Any]:
            return clients([recipient] * count)  # tabs of one user

        result["fanout"] = await crowd.fan_out(server, clients([sender])[0], tabs, plan)
    if "connections" in phases:
        await scenarios.wait_idle(server)
        users = clients(groups["connections"])
        result["connections"] = await crowd.connections(server, users, plan)
    if "groups" in groups:
        await scenarios.wait_idle(server)
        members, ids = groups["groups"], groups["group_ids"]
        result["groups"] = await group_chat.into_groups(server, members, ids, plan)
    return result


def _rotating(kind: str, groups: dict[str, Any], clients: Clients) -> list[contacts.Rotating]:
    """The contacts group's users, each with whom it writes to besides its partner."""
    seeded: list[Seeded] = groups["contacts"]
    ids = [user.user_id for user in seeded]
    rotating = []
    for user, client in zip(seeded, clients(seeded), strict=True):
        others = contacts.others_in_turn(user.user_id, user.friend_id, ids)
        if kind in APPS:
            # The app names a conversation, a peer the other user.
            others = [groups["conversations"][pair_key(user.user_id, o)] for o in others]
        rotating.append(contacts.Rotating(client, others))
    return rotating

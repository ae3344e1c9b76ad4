"""The per-address registration limit holds when several workers register at the same moment."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, func, select

from chat_app.models import RegistrationRecord, utc_now
from chat_app.services import throttle
from chat_app.services.errors import TooManyRegistrations
from chat_app.settings import load_settings

pytestmark = pytest.mark.both_databases


def test_concurrent_registrations_never_exceed_the_limit(engine):
    settings = load_settings({"CHAT_REGISTRATIONS_PER_HOUR_PER_ADDRESS": "3"})
    now = utc_now()
    start = threading.Barrier(20)
    admitted: list[bool] = []
    lock = threading.Lock()

    def reserve() -> None:
        with Session(engine) as session:
            start.wait(10)
            try:
                throttle.reserve_registration(
                    session=session, client_address="192.0.2.1", now=now, settings=settings
                )
            except TooManyRegistrations:
                outcome = False
            else:
                outcome = True
        with lock:
            admitted.append(outcome)

    threads = [threading.Thread(target=reserve) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(admitted) == 20
    # A race may refuse too many (when every thread inserts before any counts, all back
    # out); it never lets one too many through, and it leaves no place taken for nothing.
    assert admitted.count(True) <= 3
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(RegistrationRecord)).one()
        assert stored == admitted.count(True)
        # The places a lost race left free are still there for the next registration.
        for _ in range(3 - stored):
            throttle.reserve_registration(
                session=session, client_address="192.0.2.1", now=now, settings=settings
            )
        with pytest.raises(TooManyRegistrations):
            throttle.reserve_registration(
                session=session, client_address="192.0.2.1", now=now, settings=settings
            )

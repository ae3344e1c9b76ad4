"""The benchmark's arithmetic: percentiles and what counts as delivered."""

from __future__ import annotations

from tests.load.recorder import Recorder, percentile


def test_nearest_rank_percentiles():
    values = [float(n) for n in range(100, 0, -1)]
    assert (percentile(values, 0.5), percentile(values, 0.99)) == (50.0, 99.0)
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0


def test_only_messages_sent_while_measuring_count_and_a_second_copy_is_a_duplicate():
    recorder = Recorder()
    recorder.on_sent((1, 1), 1_000_000)
    recorder.on_delivered((1, 1), 3_000_000)
    recorder.on_delivered((1, 1), 4_000_000)
    recorder.on_delivered((9, 9), 5_000_000)  # sent before measuring began
    recorder.on_acknowledged((1, 1), 2_000_000)
    assert recorder.delivery_ms() == [2.0]
    assert recorder.acknowledgement_ms() == [1.0]
    assert (recorder.duplicates, recorder.missing()) == (1, 0)

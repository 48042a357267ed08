"""Group commit, without a database: concurrent requests of one key are written together while
another write is under way, each gets its own answer, a failing group is written again one by one,
and requests of another key are never mixed in."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from yibao.channels.group_commit import GroupCommit


def _wait_for(predicate, timeout=3.0):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


def test_an_idle_request_is_written_at_once_alone():
    writes = []
    group = GroupCommit(lambda ctx, payloads: writes.append(list(payloads)) or [p * 2 for p in payloads])
    assert group.submit("k", None, 21) == 42
    assert writes == [[21]]


def test_requests_arriving_during_a_write_are_written_together_each_answered():
    writes, release = [], threading.Event()

    def write(ctx, payloads):
        writes.append(list(payloads))
        if len(writes) == 1:
            release.wait(3)
        return [f"{ctx}:{p}" for p in payloads]

    group = GroupCommit(write)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(group.submit, "k", "ctx", 0)
        _wait_for(lambda: writes)
        rest = [pool.submit(group.submit, "k", "ctx", n) for n in range(1, 6)]
        _wait_for(lambda: len(group._queues["k"].waiting) == 5)
        release.set()
        assert first.result() == "ctx:0"
        assert [f.result() for f in rest] == [f"ctx:{n}" for n in range(1, 6)]
    assert writes[0] == [0] and sorted(writes[1]) == [1, 2, 3, 4, 5] and len(writes) == 2
    assert not group._queues["k"].writing and not group._queues["k"].waiting


def test_a_failing_group_is_written_again_one_by_one_and_only_the_failing_request_fails():
    writes, release = [], threading.Event()

    def write(ctx, payloads):
        writes.append(list(payloads))
        if len(writes) == 1:
            release.wait(3)
        if 3 in payloads:
            raise ValueError("第 3 笔写入失败")
        return payloads

    group = GroupCommit(write)
    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(group.submit, "k", None, 0)
        _wait_for(lambda: writes)
        rest = {n: pool.submit(group.submit, "k", None, n) for n in range(1, 5)}
        _wait_for(lambda: len(group._queues["k"].waiting) == 4)
        release.set()
        assert first.result() == 0
        for n, f in rest.items():
            if n == 3:
                assert isinstance(f.exception(), ValueError)
            else:
                assert f.result() == n
    assert sorted(writes[1]) == [1, 2, 3, 4]
    assert sorted(w[0] for w in writes[2:]) == [1, 2, 3, 4] and all(len(w) == 1 for w in writes[2:])


def test_keys_are_written_apart():
    writes, release = [], threading.Event()

    def write(ctx, payloads):
        writes.append((ctx, list(payloads)))
        if len(writes) == 1:
            release.wait(3)
        return payloads

    group = GroupCommit(write)
    with ThreadPoolExecutor(3) as pool:
        a = pool.submit(group.submit, "a", "a", 1)
        _wait_for(lambda: writes)
        b = pool.submit(group.submit, "b", "b", 2)  # another key: not held up by a's write
        assert b.result(timeout=3) == 2
        release.set()
        assert a.result() == 1
    assert writes == [("a", [1]), ("b", [2])]

"""Group commit: concurrent requests of one kind, written in one transaction.

A channel's single payments (to the resident scheme or against the employee scheme's bills) arrive
one per request, many at a time. Each alone costs a transaction (the reads, the insert, the
update, the audit chain's lock and append, the commit's flush to disk); written together they
cost one. So in each server
process, the requests of one key (a channel) that arrive while another group of its requests is
being written wait for it to finish, and the first of them then writes all that have gathered,
as one batch; every request still gets its own answer and its own audit entries. An idle server
adds no wait: a request that finds nobody writing writes at once, alone.

If writing the group fails (an error other than the refusals and lost races the batch already
answers), each of its requests is written again alone, so one request's failure stays its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

#: a group holds at most this many requests
GROUP_LIMIT = 200


@dataclass
class _Request:
    payload: Any
    wake: threading.Event = field(default_factory=threading.Event)
    done: bool = False
    result: Any = None
    error: BaseException | None = None


@dataclass
class _Queue:
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: list[_Request] = field(default_factory=list)
    writing: bool = False


class GroupCommit:
    """``submit(key, context, payload)`` returns ``write(context, [payload, ...])[i]`` for its own
    payload, where ``write`` may have been called with other requests of the same key too."""

    def __init__(self, write: Callable[[Any, list[Any]], list[Any]]):
        self._write = write
        self._queues: dict[Hashable, _Queue] = {}
        self._lock = threading.Lock()

    def _queue(self, key: Hashable) -> _Queue:
        with self._lock:
            return self._queues.setdefault(key, _Queue())

    def submit(self, key: Hashable, context: Any, payload: Any) -> Any:
        queue = self._queue(key)
        request = _Request(payload)
        with queue.lock:
            queue.waiting.append(request)
            lead = not queue.writing
            queue.writing = True
        if not lead:
            request.wake.wait()
        if not request.done:  # leading: write what has gathered (this request among it)
            try:
                with queue.lock:
                    group, queue.waiting[:] = queue.waiting[:GROUP_LIMIT], queue.waiting[GROUP_LIMIT:]
                self._run(context, group)
            finally:
                with queue.lock:
                    if queue.waiting:
                        queue.waiting[0].wake.set()  # the next one leads
                    else:
                        queue.writing = False
        if request.error is not None:
            raise request.error
        return request.result

    def _run(self, context: Any, group: list[_Request]) -> None:
        try:
            results = self._write(context, [r.payload for r in group]) if len(group) > 1 else None
        except Exception:  # noqa: BLE001 - each request is written again alone, and fails alone
            results = None
        for n, request in enumerate(group):
            if results is not None:
                request.result = results[n]
            else:
                try:
                    request.result = self._write(context, [request.payload])[0]
                except BaseException as exc:  # noqa: BLE001 - raised in the request's own thread
                    request.error = exc
            request.done = True
            request.wake.set()

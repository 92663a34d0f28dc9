"""The pipeline's per-article stage in worker processes (``--workers``), results in input order.

Workers are forked once per run; each reads the gazetteer and the language model when it first needs them
(a fraction of a second, from the cache), so the parent, which only reads the files and puts the results in
order, never holds those ~55 MB. An article the parent leaves unparsed (a JSON Lines record, ``Unparsed``) is
decoded and parsed in a worker too, so the parent's own work per article stays small. Each worker takes chunks
of a batch; the parent gets every batch back whole and in order, so everything that depends on order (story
keys, duplicates) stays with the parent and the output is the same whatever the number of workers. A worker
whose parent died (killed outright) exits instead of lingering.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .article import Skip
from .enrich.gazetteer import Gazetteer

CHUNK = 50  # articles a worker takes at a time: small enough to share a batch among the workers
AHEAD = 2  # batches in the workers beyond the one the parent is placing
PARENT_CHECK = 1.0  # seconds between a worker's checks that its parent is still alive

Stage = Callable[[Any, Gazetteer], Any]
Batch = list[Any]  # the items of a stream, and ``Skip``s in their places, which the stage never sees

_stage: Stage | None = None
_gazetteer: Gazetteer | None = None


def default_workers() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start(stage: Stage, gazetteer: Gazetteer, parent: int) -> None:
    global _stage, _gazetteer
    _stage, _gazetteer = stage, gazetteer

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _run(chunk: list) -> list:
    return [_stage(item, _gazetteer) for item in chunk]


class Workers:
    """``stage`` applied to every item (bar the skips) of a stream of batches, in ``count`` processes (in this
    one when ``count`` is 1)."""

    def __init__(self, stage: Stage, gazetteer: Gazetteer, count: int = 1):
        self.stage, self.gazetteer, self.count = stage, gazetteer, count
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.count > 1:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = ProcessPoolExecutor(self.count, mp_context=context, initializer=_start,
                                             initargs=(self.stage, self.gazetteer, os.getpid()))
        return self

    def __exit__(self, *exc) -> None:
        if self._pool:
            self._pool.shutdown(wait=exc[0] is None, cancel_futures=True)

    def batches(self, batches: Iterator[Batch]) -> Iterator[tuple[list[Skip | None], list]]:
        """Each batch with the stage's results for its articles, in order. The batch comes back with its
        skips in place and None for each article (whose result stands for it): the parent need not keep a
        second copy of the articles that are in the workers."""
        if self._pool is None:
            for batch in batches:
                yield _skips_only(batch), [self.stage(item, self.gazetteer) for item in _articles(batch)]
            return
        pending: deque[tuple[list[Skip | None], list[Future]]] = deque()
        for batch in batches:
            articles = _articles(batch)
            pending.append((_skips_only(batch), [self._pool.submit(_run, articles[i:i + CHUNK])
                                                 for i in range(0, len(articles), CHUNK)]))
            del articles, batch  # the workers have them: not held while the parent places earlier batches
            if len(pending) > AHEAD:
                yield _collect(*pending.popleft())
        while pending:
            yield _collect(*pending.popleft())


def _articles(batch: Batch) -> list:
    return [item for item in batch if not isinstance(item, Skip)]


def _skips_only(batch: Batch) -> list[Skip | None]:
    return [item if isinstance(item, Skip) else None for item in batch]


def _collect(batch: list[Skip | None], futures: list[Future]) -> tuple[list[Skip | None], list]:
    return batch, [result for future in futures for result in future.result()]

"""A closed-loop HTTP load generator: N clients, each on one keep-alive connection, for a fixed time.

Every client sends the next request of a fixed list as soon as the previous answer has been read in full
(clients start at different places in the list, so they do not send the same search at once). Latency is the
time from sending a request to having read its whole answer (of the last request, for a request with
follow-ups). Requests that end during the warm-up are not
counted. An error is any answer other than 200, or a connection that fails or times out; the client then
reconnects and goes on.
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# (index of the request in the list, body of a 200 answer) → why the answer is wrong, or None.
Check = Callable[[int, bytes], "str | None"]


@dataclass(frozen=True)
class Request:
    """One HTTP request; ``then``: requests sent right after it on the same connection, timed with it (the
    further requests one search makes of Elasticsearch)."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    then: tuple[Request, ...] = ()


@dataclass
class Outcome:
    """What one client saw: latencies of successful requests (seconds) and error descriptions."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``values`` (already sorted)."""
    if not values:
        return math.nan
    return values[max(math.ceil(p / 100 * len(values)) - 1, 0)]


def summary(outcomes: list[Outcome], seconds: float) -> dict:
    """Counts, throughput and latency percentiles (milliseconds) of one load run."""
    latencies = sorted(x for o in outcomes for x in o.latencies)
    errors = [e for o in outcomes for e in o.errors]
    return {
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "per_second": round(len(latencies) / seconds, 1) if seconds else None,
        **{f"p{p}_ms": round(percentile(latencies, p) * 1000, 2) for p in (50, 95, 99)},
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
        "mean_ms": round(sum(latencies) / len(latencies) * 1000, 2) if latencies else None,
    }


def _client(host: str, port: int, requests: list[Request], start: int, measure_from: float,
            keep_going: Callable[[], bool], outcome: Outcome, check: Check | None, timeout: float) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    i = start
    while keep_going():
        request = requests[i % len(requests)]
        began = time.perf_counter()
        try:
            for step in (request, *request.then):
                connection.request(step.method, step.path, body=step.body, headers=step.headers)
                response = connection.getresponse()
                data = response.read()
                status = response.status
                if status != 200:
                    break
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            error = f"{type(exc).__name__}: {exc}"
            status, data = None, b""
        took = time.perf_counter() - began
        if began >= measure_from:
            wrong = check(i % len(requests), data) if status == 200 and check else None
            if status == 200 and not wrong:
                outcome.latencies.append(took)
            else:
                outcome.errors.append(wrong or (error if status is None else f"HTTP {status}"))
        i += 1
    connection.close()


def run(host: str, port: int, requests: list[Request], clients: int, *, seconds: float | None = None,
        warmup: float = 0.0, until: Callable[[], bool] | None = None, check: Check | None = None,
        timeout: float = 30.0) -> tuple[dict, list[Outcome]]:
    """Load ``host:port`` with ``clients`` clients for ``warmup`` + ``seconds``, or until ``until()`` is true.

    ``check(request index, answer body)`` may return why a 200 answer is wrong; it then counts as an error.
    Returns the summary (see ``summary``) and each client's outcome.
    """
    began = time.perf_counter()
    measure_from = began + warmup
    if until is None:
        deadline = measure_from + seconds

        def keep_going() -> bool:
            return time.perf_counter() < deadline
    else:
        def keep_going() -> bool:
            return not until()

    outcomes = [Outcome() for _ in range(clients)]
    threads = [
        threading.Thread(target=_client, daemon=True,
                         args=(host, port, requests, n * len(requests) // clients, measure_from, keep_going,
                               outcomes[n], check, timeout))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measured = time.perf_counter() - max(measure_from, began)
    return summary(outcomes, measured), outcomes

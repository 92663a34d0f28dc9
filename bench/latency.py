"""Search latency under load, and searches during a rebuild: ``python -m bench.latency [--quick]``.

The alias (``--alias``, default ``bench``) is built from the corpus of ``--size`` unless it already serves
that file. The production server (``dateline serve``: granian, ``--workers`` processes of four threads)
is started on a free loopback port. A fixed set of searches (``bench.queries``) then goes to three targets:

- ``elasticsearch``: the requests the service sends Elasticsearch for each search, recorded from its client
  (``InProcess.captured_requests``: usually one ``_search``; more when it searches again in any spelling or offers
  alternatives) and replayed straight to the node on one connection (the baseline: what the node itself
  needs);
- ``floor``: the same requests through the thinnest Flask service (``bench.passthrough``: the product's client,
  no work of its own) under the same server and layout: what the stack costs before the service does anything;
- ``api``: ``GET /api/search?...`` (JSON);
- ``html``: ``GET /search?...`` (the page).

Before that, the service's own time per search is measured in process: every search through the Flask app
with the recorded answers of Elasticsearch given from memory, in CPU time (``InProcess.own_time``), a figure
the load of other processes on the machine does not change.

At each number of clients (closed loop, keep-alive, see ``bench.load``) the targets take turns in short
slices (``--rounds`` each), so a disturbance on the shared machine hits all of them alike; every slice starts
with a warm-up that is not counted. Percentiles are over all counted requests of a target.

Rebuild under load: clients keep searching ``/api/search`` while ``dateline index rebuild`` loads the same
corpus into a new index and swaps the alias. A search fails if its answer is not 200 or its total differs
from the total the same search had before the rebuild.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from elasticsearch import Elasticsearch

from dateline import config
from dateline.client import PlainQueryConnection, connect, with_query
from dateline.indexer.rebuild import live_index, versions
from dateline.service.app import create_app
from dateline.service.server import THREADS

from . import convert, load, machine, queries, report
from .throughput import DATELINE, QUICK_RESULTS, RESULTS, run_rebuild, settle

TARGETS = ("elasticsearch", "floor", "api", "html")
FULL = {"size": 100_000, "clients": (1, 4, 16), "seconds": 20.0, "rounds": 4, "warmup": 1.0, "queries": 300,
        "load_clients": 4, "rebuild_under_load": True, "cpu_repeats": 3}
QUICK = {"size": 600, "clients": (1, 4), "seconds": 1.0, "rounds": 2, "warmup": 0.2, "queries": 60,
         "load_clients": 2, "rebuild_under_load": True, "cpu_repeats": 1}


def ensure_index(client: Elasticsearch, alias: str, source: Path) -> dict:
    """Make ``alias`` serve ``source`` (a rebuild, not timed, unless it already does)."""
    current = live_index(client, alias)
    meta = next((v.meta for v in versions(client, alias) if v.index == current), {})
    if meta.get("sources") == [str(source)]:
        return {"index": current, "rebuilt": False}
    run = run_rebuild(source, alias)
    return {"index": run["index"], "rebuilt": True}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(alias: str, workers: int) -> Iterator[int]:
    """``dateline serve`` on a free loopback port for ``alias``; yields the port, stops the server after."""
    port = _free_port()
    with _server([str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                 {"DATELINE_ALIAS": alias}, port, "/healthz"):
        yield port


@contextlib.contextmanager
def serving_floor(workers: int) -> Iterator[int]:
    """``bench.passthrough`` under granian as ``dateline serve`` runs the service; yields the port."""
    port = _free_port()
    with _server([sys.executable, "-m", "granian", "--interface", "wsgi", "--http", "1", "--no-ws",
                  "--workers", str(workers), "--blocking-threads", str(THREADS), "--host", "127.0.0.1",
                  "--port", str(port), "--log-level", "warning", "bench.passthrough:app"], {}, port, "/"):
        yield port


@contextlib.contextmanager
def _server(command: list[str], env: dict, port: int, ready_path: str) -> Iterator[None]:
    """Run ``command`` until the context ends, once ``ready_path`` on ``port`` answers 200."""
    log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would stall the server
    server = subprocess.Popen(command, env={**os.environ, **env}, cwd=Path(__file__).parent.parent,
                              stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"{command[0]} did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


class InProcess:
    """The service's Flask app in this process, its client recording every request it sends Elasticsearch
    (as sent: path, query string, body) with the answer, and able to answer them again from memory
    (``replaying``): the service's own time then has no node and no network in it."""

    def __init__(self, settings: config.Settings, alias: str):
        self.sent: list[load.Request] = []
        self.answers: dict[tuple, tuple] = {}
        self.replaying = False
        recorder = self

        class Recording(PlainQueryConnection):
            def perform_request(self, method, url, params=None, body=None, *args, **kwargs):
                key = (method, url, tuple((params or {}).items()), body)  # cheap: replays are timed
                if recorder.replaying:
                    return recorder.answers[key]
                path = self.url_prefix + with_query(url, params)
                data = body.encode() if isinstance(body, str) else body
                # The index's model lookup (service/ranking.py) is made once every few seconds, not per search.
                if not url.endswith("/_mapping"):
                    recorder.sent.append(load.Request(method, path, data, {"Content-Type": "application/json"}))
                recorder.answers[key] = super().perform_request(method, url, params, body, *args, **kwargs)
                return recorder.answers[key]

        app = create_app(dataclasses.replace(settings, alias=alias),
                         client=connect(settings, connection_class=Recording))
        self.service = app.test_client()
        self.get("/healthz")  # the client's one-time check of the node (GET /) is no part of any search

    def get(self, path: str) -> None:
        answer = self.service.get(path)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} failed: {answer.status_code}")

    def captured_requests(self, searches: list[list[tuple[str, str]]]) -> list[load.Request]:
        """The requests the service sends Elasticsearch for each search, byte for byte: the search, and when it
        is asked again in any spelling or offers alternatives, those requests too, as follow-ups on the same
        connection."""
        replays = []
        for pairs in searches:
            self.sent.clear()
            self.get("/api/search?" + urlencode(pairs))
            replays.append(dataclasses.replace(self.sent[0], then=tuple(self.sent[1:])))
        return replays

    def own_time(self, requests: list[load.Request], repeats: int) -> dict:
        """CPU milliseconds the service spends on each request (p50, p99, mean over ``repeats`` rounds), with
        Elasticsearch's answers (recorded by ``captured_requests``) given from memory: parameters, query,
        JSON encoding and decoding, view model and template. Thread CPU time, so other processes on the
        machine do not count."""
        self.replaying = True
        try:
            times = []
            for _ in range(repeats):
                for request in requests:
                    began = time.thread_time()
                    self.get(request.path)
                    times.append(time.thread_time() - began)
        finally:
            self.replaying = False
        times.sort()
        return {"requests": len(times), "mean_ms": round(sum(times) / len(times) * 1000, 3),
                **{f"p{p}_ms": round(load.percentile(times, p) * 1000, 3) for p in (50, 99)}}


def requests_for(searches: list[list[tuple[str, str]]], elasticsearch: list[load.Request]) \
        -> dict[str, list[load.Request]]:
    """The HTTP requests of each target for the same searches (``elasticsearch``: as the service sent them)."""
    return {
        "elasticsearch": elasticsearch,
        "floor": elasticsearch,
        "api": [load.Request("GET", "/api/search?" + urlencode(pairs)) for pairs in searches],
        "html": [load.Request("GET", "/search?" + urlencode(pairs)) for pairs in searches],
    }


def measure_cells(hosts: dict[str, tuple[str, int]], requests: dict[str, list[load.Request]],
                  plan: dict) -> list[dict]:
    """p50/p95/p99 and errors of every target at every number of clients, targets taking turns in slices."""
    cells = []
    slice_seconds = plan["seconds"] / plan["rounds"]
    for clients in plan["clients"]:
        outcomes: dict[str, list] = {t: [] for t in TARGETS}
        measured = dict.fromkeys(TARGETS, 0.0)
        for _ in range(plan["rounds"]):
            for target in TARGETS:
                _, seen = load.run(*hosts[target], requests[target], clients, seconds=slice_seconds,
                                   warmup=plan["warmup"])
                outcomes[target] += seen
                measured[target] += slice_seconds
        for target in TARGETS:
            cell = {"target": target, "clients": clients, **load.summary(outcomes[target], measured[target])}
            cells.append(cell)
            print(f"  {clients:>2} clients {target:>13}: p50 {cell['p50_ms']} ms, p99 {cell['p99_ms']} ms, "
                  f"{cell['per_second']}/s, {cell['errors']} errors", file=sys.stderr)
    return cells


def ratios(cells: list[dict]) -> list[dict]:
    """Each service target's percentiles divided by Elasticsearch's at the same number of clients."""
    base = {c["clients"]: c for c in cells if c["target"] == "elasticsearch"}
    rows = []
    for cell in cells:
        if cell["target"] != "elasticsearch":
            b = base[cell["clients"]]
            rows.append({"target": cell["target"], "clients": cell["clients"],
                         **{p: round(cell[f"{p}_ms"] / b[f"{p}_ms"], 3) for p in ("p50", "p95", "p99")}})
    return rows


def _total_of(data: bytes) -> int | None:
    try:
        return json.loads(data)["total"]["value"]
    except (ValueError, KeyError, TypeError):
        return None


def rebuild_under_load(client: Elasticsearch, port: int, alias: str, source: Path, searches: list,
                       clients: int) -> dict:
    """Search ``/api/search`` with ``clients`` clients throughout a rebuild of ``source``; count failures."""
    api = [load.Request("GET", "/api/search?" + urlencode(pairs)) for pairs in searches]
    expected = []
    for request in api:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{request.path}", timeout=30) as answer:
            expected.append(_total_of(answer.read()))

    def check(i: int, data: bytes) -> str | None:
        got = _total_of(data)
        return None if got == expected[i] else f"total {got} instead of {expected[i]}"

    before = live_index(client, alias)
    finished: dict = {}

    def rebuild() -> None:
        started = time.monotonic()
        try:
            finished["run"] = run_rebuild(source, alias)
        except Exception as exc:  # reported below; the searches must stop either way
            finished["error"] = str(exc)
        finished["seconds"] = time.monotonic() - started
        finished["at"] = time.monotonic()

    def swapped_two_seconds_ago() -> bool:  # searching on after the swap catches failures right after it
        return "at" in finished and time.monotonic() > finished["at"] + 2

    settle(client)
    worker = threading.Thread(target=rebuild)
    worker.start()
    summary, _ = load.run("127.0.0.1", port, api, clients, until=swapped_two_seconds_ago, check=check)
    worker.join()
    if "error" in finished:
        raise RuntimeError(f"the rebuild under load failed: {finished['error']}")
    return {"clients": clients, "target": "api", "rebuild_seconds": round(finished["seconds"], 1),
            "index_before": before, "index_after": live_index(client, alias), "failed": summary["errors"],
            **summary}


def run(plan: dict, alias: str, out: Path, workers: int, folder: Path = convert.WORK,
        quick: bool = False) -> dict:
    settings = config.from_env()
    client = connect(settings)
    es_url = urlsplit(settings.es_urls[0])
    out.mkdir(parents=True, exist_ok=True)
    size = plan["size"]
    manifest = convert.ensure([size], folder)[size]
    source = convert.paths(size, folder)[0]
    results = {
        "benchmark": "latency",
        "quick": quick,
        "alias": alias,
        "machine": machine.describe(client),
        "method": __doc__.split("\n\n", 1)[1].strip(),
        "plan": {**plan, "workers": workers, "threads_per_worker": THREADS},
        "corpus": manifest,
    }
    print(f"latency on {convert.label(size)} articles behind {alias!r}", file=sys.stderr)
    results["index"] = ensure_index(client, alias, source)
    searches = queries.make_queries(source, plan["queries"])
    (out / "queries.json").write_text(json.dumps([dict(pairs=p) for p in searches], indent=1) + "\n")
    service = InProcess(settings, alias)
    requests = requests_for(searches, service.captured_requests(searches))
    results["searches_with_more_requests"] = sum(1 for r in requests["elasticsearch"] if r.then)
    results["service_cpu"] = {target: service.own_time(requests[target], plan["cpu_repeats"])
                              for target in ("api", "html")}
    for target, cpu in results["service_cpu"].items():
        print(f"  {target:>4}: the service's own CPU per search p50 {cpu['p50_ms']} ms, p99 {cpu['p99_ms']} ms",
              file=sys.stderr)
    with serving(alias, workers) as port, serving_floor(workers) as floor_port:
        hosts = {"elasticsearch": (es_url.hostname, es_url.port or 9200), "floor": ("127.0.0.1", floor_port),
                 "api": ("127.0.0.1", port), "html": ("127.0.0.1", port)}
        settle(client)
        results["cells"] = measure_cells(hosts, requests, plan)
        results["ratios"] = ratios(results["cells"])
        results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if plan["rebuild_under_load"]:
            print("rebuild under load", file=sys.stderr)
            results["rebuild_under_load"] = rebuild_under_load(client, port, alias, source, searches,
                                                               plan["load_clients"])
    (out / "latency.json").write_text(json.dumps(results, indent=2) + "\n")
    report.write(out)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small corpus and short cells, seconds in all")
    parser.add_argument("--size", type=int, help="articles in the index [default: 100000]")
    parser.add_argument("--seconds", type=float, help="measured seconds per target and number of clients")
    parser.add_argument("--alias", help="alias to build and search [default: bench, or bench-quick]")
    parser.add_argument("--clients", help="numbers of clients, comma-separated [default: 1,4,16]")
    parser.add_argument("--no-rebuild-under-load", dest="under_load", action="store_false",
                        help="measure the latency only, without the rebuild under load")
    parser.add_argument("--workers", type=int, default=2, help="server processes [default: %(default)s]")
    parser.add_argument("--out", type=Path, help="results folder [default: bench/results]")
    args = parser.parse_args(argv)
    plan = dict(QUICK if args.quick else FULL)
    if args.size:
        plan["size"] = args.size
    if args.seconds:
        plan["seconds"] = args.seconds
    if args.clients:
        plan["clients"] = tuple(int(n) for n in args.clients.split(","))
    plan["rebuild_under_load"] = args.under_load
    alias = args.alias or ("bench-quick" if args.quick else "bench")
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    results = run(plan, alias, out, args.workers, quick=args.quick)
    for row in results["ratios"]:
        print(f"{row['target']:>5} at {row['clients']:>2} clients: p50 ×{row['p50']}, p95 ×{row['p95']}, "
              f"p99 ×{row['p99']} of Elasticsearch")
    under = results.get("rebuild_under_load")
    if under:
        print(f"rebuild under load: {under['requests']} searches, {under['failed']} failed, "
              f"{under['index_before']} → {under['index_after']}")


if __name__ == "__main__":
    main()

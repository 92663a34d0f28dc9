"""Rebuild throughput and memory against raw ``_bulk``: ``python -m bench.throughput [--quick]``.

For each size, the corpus is converted once (``bench.convert``) and turned into bulk bodies once
(``bench.bulkload.prepare``, not timed). Then, alternating which goes first (raw, rebuild, rebuild, raw, ...),
each repetition runs

- the raw loader (``bench.bulkload.load``): create, send the prepared bodies, serving settings, refresh,
  count;
- ``dateline index rebuild --source FILE --keep 0`` as a subprocess, under ``DATELINE_ALIAS``; its wall time
  is the whole command (interpreter start and imports included), its own reported time is taken from its
  output, and its peak RSS is the high-water mark the kernel keeps for it (``VmHWM``, polled).

Medians of the repetitions give docs/s for both and their ratio. Before each run the node is given time to
finish merging what the previous run left. ``--profile`` adds one rebuild of the largest size under
pyinstrument and writes its report beside the results.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from elasticsearch import Elasticsearch

from dateline import config
from dateline.client import connect

from . import bulkload, convert, machine, report

DATELINE = Path(sys.executable).with_name("dateline")
PYINSTRUMENT = Path(sys.executable).with_name("pyinstrument")
RESULTS = Path(__file__).resolve().parent / "results"
QUICK_RESULTS = convert.WORK / "quick-results"

FULL_SIZES = {1_000: 3, 10_000: 3, 100_000: 2}  # size → repetitions
QUICK_SIZES = {200: 2, 600: 2}

# The refresh that ends a large load, or a bulk request while the node merges, can take longer than the
# default ES_TIMEOUT of 10 s on a busy two-core machine; a timeout would end the run, not speed it up. These
# rebuilds are lexical (no sentence vectors): bench/hybrid.py measures rebuilds with vectors against them.
REBUILD_ENV = {"ES_TIMEOUT": "300", "DATELINE_EMBED": "0"}

_REPORTED = re.compile(r"Indexed (\d+) articles into (\S+) in ([\d.]+)s")


def settle(client: Elasticsearch, limit: float = 15.0) -> None:
    """Wait (at most ``limit`` seconds) until the node runs no merges, so one run does not pay for another."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        nodes = client.nodes.stats(metric="indices", index_metric="merge")["nodes"].values()
        if not any(n["indices"]["merges"]["current"] for n in nodes):
            return
        time.sleep(0.5)


def node_cpu_seconds(client: Elasticsearch) -> float:
    """CPU seconds the Elasticsearch node processes have used so far (all nodes of the cluster)."""
    nodes = client.nodes.stats(metric="process")["nodes"].values()
    return sum(n["process"]["cpu"]["total_in_millis"] for n in nodes) / 1000


def _wait_watching(process: subprocess.Popen, interval: float = 0.01) -> tuple[int, float]:
    """Wait for ``process``; return the high-water mark of its resident memory (kB) and its CPU seconds.

    The kernel's per-child peak (``wait4``'s ``ru_maxrss``) is no use here: it includes the memory of this
    benchmark process, which the child was forked from. VmHWM belongs to the program the child runs.
    """
    status = Path(f"/proc/{process.pid}/status")
    peak = 0
    while True:
        found = re.search(r"^VmHWM:\s+(\d+) kB", status.read_text(), re.M)
        if found:  # absent once it has exited (the pid stays ours until it is reaped below)
            peak = max(peak, int(found.group(1)))
        pid, code, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(code)
            return peak, usage.ru_utime + usage.ru_stime
        time.sleep(interval)


def run_rebuild(source: Path, alias: str, command: list[str] | None = None, env: dict | None = None) -> dict:
    """One ``dateline index rebuild`` of ``source`` behind ``alias`` (``env`` on top of ``REBUILD_ENV``):
    seconds, peak RSS, CPU."""
    command = command or [str(DATELINE)]
    env = {**os.environ, "DATELINE_ALIAS": alias, **REBUILD_ENV, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # --allow-shrink: the benchmark's alias is rebuilt at every size, a small one after a large one.
        process = subprocess.Popen([*command, "index", "rebuild", "--source", str(source), "--keep", "0",
                                    "--allow-shrink", "--no-progress"], stdout=out, stderr=err, env=env)
        peak_kb, cpu = _wait_watching(process)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        output, errors = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    reported = _REPORTED.search(output)
    if process.returncode != 0 or not reported:
        raise RuntimeError(f"dateline index rebuild failed ({process.returncode}): "
                           f"{errors[-2000:] or output}")
    return {
        "seconds": round(wall, 3),
        "reported_seconds": float(reported.group(3)),
        "indexed": int(reported.group(1)),
        "index": reported.group(2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "cpu_seconds": round(cpu, 2),
    }


def _raw_run(client: Elasticsearch, es_url: str, prepared: bulkload.Prepared) -> dict:
    try:
        return {"seconds": round(bulkload.load(client, es_url, prepared), 3)}
    finally:
        client.indices.delete(index=prepared.index, ignore_unavailable=True, request_timeout=60)


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 3)


def measure_size(client: Elasticsearch, es_url: str, size: int, reps: int, alias: str, folder: Path) -> dict:
    """Raw loader and rebuild, alternating, ``reps`` times each, for one corpus size.

    Each run also records the CPU seconds the node spent meanwhile and the load average after it: on a
    shared machine they tell a slow node (more CPU) from a starved one (same CPU, more load).
    """
    manifest = convert.ensure([size], folder)[size]
    source = convert.paths(size, folder)[0]
    prepared = bulkload.prepare([source], f"{alias}-raw")
    runs: dict[str, list[dict]] = {"raw": [], "rebuild": []}
    for rep in range(reps):
        for kind in ("raw", "rebuild") if rep % 2 == 0 else ("rebuild", "raw"):
            settle(client)
            cpu_before = node_cpu_seconds(client)
            run = _raw_run(client, es_url, prepared) if kind == "raw" else run_rebuild(source, alias)
            run["node_cpu_seconds"] = round(node_cpu_seconds(client) - cpu_before, 1)
            run["load_average"] = round(os.getloadavg()[0], 2)
            if run.get("indexed", prepared.documents) != prepared.documents:
                raise RuntimeError(f"the rebuild indexed {run['indexed']} documents, the raw loader "
                                   f"{prepared.documents}: they did not load the same corpus")
            runs[kind].append(run)
            print(f"  {convert.label(size)} {kind}: {run}", file=sys.stderr)
    docs = prepared.documents
    raw_median = _median(runs["raw"], "seconds")
    wall_median = _median(runs["rebuild"], "seconds")
    reported_median = _median(runs["rebuild"], "reported_seconds")
    return {
        "size": size,
        "label": convert.label(size),
        "articles": manifest["articles"],
        "derived": manifest["derived"],
        "documents": docs,
        "bulk_requests": len(prepared.bodies),
        "bulk_megabytes": round(sum(map(len, prepared.bodies)) / 2**20, 1),
        "prepare_seconds": round(prepared.seconds, 2),
        "raw": {
            "runs": runs["raw"],
            "median_seconds": raw_median,
            "docs_per_s": round(docs / raw_median, 1),
            "median_node_cpu_seconds": _median(runs["raw"], "node_cpu_seconds"),
        },
        "rebuild": {
            "runs": runs["rebuild"],
            "median_seconds": wall_median,
            "median_reported_seconds": reported_median,
            "docs_per_s": round(docs / wall_median, 1),
            "docs_per_s_reported": round(docs / reported_median, 1) if reported_median else None,
            "median_node_cpu_seconds": _median(runs["rebuild"], "node_cpu_seconds"),
            "median_cpu_seconds": _median(runs["rebuild"], "cpu_seconds"),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs["rebuild"]),
        },
        "ratio": round(raw_median / wall_median, 3),
        "ratio_reported": round(raw_median / reported_median, 3) if reported_median else None,
    }


def profile_rebuild(size: int, alias: str, folder: Path, out: Path) -> dict:
    """One more rebuild of ``size`` under pyinstrument; its text and HTML reports go to ``out``."""
    source = convert.paths(size, folder)[0]
    stem = out / f"profile-rebuild-{convert.label(size)}"
    session = stem.with_suffix(".pyisession")
    profiler = [str(PYINSTRUMENT), "-r", "pyisession", "-o", str(session), str(DATELINE)]
    run = run_rebuild(source, alias, profiler)
    for renderer in ("text", "html"):
        subprocess.run([str(PYINSTRUMENT), "--load", str(session), "-r", renderer, "-o",
                        f"{stem}.{'txt' if renderer == 'text' else renderer}"], check=True)
    session.unlink()
    return {"size": size, "text": stem.name + ".txt", "html": stem.name + ".html", "run": run}


def run(sizes: dict[int, int], alias: str, out: Path, folder: Path = convert.WORK, profile: bool = False,
        quick: bool = False) -> dict:
    settings = config.from_env()
    client = connect(settings)
    out.mkdir(parents=True, exist_ok=True)
    results = {
        "benchmark": "throughput",
        "quick": quick,
        "alias": alias,
        "rebuild_environment": REBUILD_ENV,
        "machine": machine.describe(client),
        "method": __doc__.split("\n\n", 1)[1].strip(),
        "sizes": [],
    }
    for size, reps in sizes.items():
        print(f"throughput {convert.label(size)} ({reps} repetitions)", file=sys.stderr)
        results["sizes"].append(measure_size(client, settings.es_urls[0], size, reps, alias, folder))
    if profile:
        results["profile"] = profile_rebuild(max(sizes), alias, folder, out)
    (out / "throughput.json").write_text(json.dumps(results, indent=2) + "\n")
    report.write(out)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, seconds (results in bench/work)")
    parser.add_argument("--sizes", help="comma-separated sizes, e.g. 10000 (default: 1k, 10k, 100k)")
    parser.add_argument("--reps", type=int, help="repetitions per size (default: 3, and 2 at 100k)")
    parser.add_argument("--alias", help="alias to build and search [default: bench, or bench-quick]")
    parser.add_argument("--out", type=Path, help="results folder [default: bench/results]")
    parser.add_argument("--profile", action="store_true", help="also profile one rebuild of the largest size")
    args = parser.parse_args(argv)
    sizes = dict(QUICK_SIZES if args.quick else FULL_SIZES)
    if args.sizes:
        sizes = {int(s): sizes.get(int(s), 3) for s in args.sizes.split(",")}
    if args.reps:
        sizes = {size: args.reps for size in sizes}
    alias = args.alias or ("bench-quick" if args.quick else "bench")
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    results = run(sizes, alias, out, profile=args.profile, quick=args.quick)
    for row in results["sizes"]:
        print(f"{row['label']:>5}: raw {row['raw']['docs_per_s']:.0f} docs/s, "
              f"rebuild {row['rebuild']['docs_per_s']:.0f} docs/s (ratio {row['ratio']:.2f}; "
              f"in-process {row['ratio_reported']}), "
              f"peak RSS {row['rebuild']['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()

"""Rebuild throughput and memory against raw ``_bulk``: ``python -m bench.throughput [--quick]``.

For each size, the corpus is converted once (``bench.convert``) and turned into bulk bodies once
(``bench.bulkload.prepare``, not timed). Then, alternating which goes first (raw, rebuild, rebuild, raw, ...),
each repetition runs

- the raw loader (``bench.bulkload.load``) on 1, 2 and 4 connections: create, send the prepared bodies,
  serving settings, refresh, count;
- ``dateline index rebuild --source FILE --keep 0`` as a subprocess, under ``DATELINE_ALIAS``; its wall time
  is the whole command (interpreter start and imports included), its own reported time is taken from its
  output, and its peak RSS is the high-water mark the kernel keeps for it (``VmHWM``, polled).

Medians of the repetitions give docs/s for each; the fastest raw loader is the baseline of the ratio, and the
ratio against one connection (one request at a time) is kept beside it. The pipeline's own rate with the
node replaced by a null sink (``bench.pipeline``) is measured once, at 10k (the smallest size in quick mode).
Before each run the node is given time to finish merging what the previous run left. ``--profile`` adds one
rebuild of the largest size under pyinstrument and writes its report beside the results.
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

import psutil
from elasticsearch import Elasticsearch

from dateline import config
from dateline.client import connect

from . import bulkload, convert, machine, pipeline, report

DATELINE = Path(sys.executable).with_name("dateline")
PYINSTRUMENT = Path(sys.executable).with_name("pyinstrument")
RESULTS = Path(__file__).resolve().parent / "results"
QUICK_RESULTS = convert.WORK / "quick-results"

FULL_SIZES = {1_000: 3, 10_000: 3, 100_000: 2}  # size → repetitions
QUICK_SIZES = {200: 2, 600: 2}
CONNECTIONS = (1, 2, 4)  # concurrent connections of the raw loader
PIPELINE_SIZE = 10_000

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


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (worker processes), in kB; 0 once it is gone. Forked
    workers share pages with their parent until either writes them, so the sum counts those twice."""
    try:
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) // 1024
    except psutil.Error:
        return 0


def _wait_watching(process: subprocess.Popen, interval: float = 0.01) -> tuple[int, int, float]:
    """Wait for ``process``; return the high-water mark of its resident memory (kB), the highest resident
    memory of it and its worker processes together (kB, polled), and its CPU seconds (workers included).

    The kernel's per-child peak (``wait4``'s ``ru_maxrss``) is no use here: it includes the memory of this
    benchmark process, which the child was forked from. VmHWM belongs to the program the child runs.
    """
    status = Path(f"/proc/{process.pid}/status")
    peak = tree_peak = 0
    polls = 0
    while True:
        found = re.search(r"^VmHWM:\s+(\d+) kB", status.read_text(), re.M)
        if found:  # absent once it has exited (the pid stays ours until it is reaped below)
            peak = max(peak, int(found.group(1)))
        if polls % 10 == 0:  # the process tree is dearer to read
            tree_peak = max(tree_peak, _tree_rss_kb(process.pid))
        polls += 1
        pid, code, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(code)
            return peak, max(peak, tree_peak), usage.ru_utime + usage.ru_stime
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
        peak_kb, tree_kb, cpu = _wait_watching(process)
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
        "peak_rss_with_workers_mb": round(tree_kb / 1024, 1),
        "cpu_seconds": round(cpu, 2),
    }


def _raw_run(client: Elasticsearch, es_url: str, prepared: bulkload.Prepared, connections: int) -> dict:
    try:
        return {"seconds": round(bulkload.load(client, es_url, prepared, connections=connections), 3),
                "connections": connections}
    finally:
        client.indices.delete(index=prepared.index, ignore_unavailable=True, request_timeout=60)


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 3)


def _raw_summary(runs: list[dict], docs: int) -> dict:
    seconds = _median(runs, "seconds")
    return {"connections": runs[0]["connections"], "runs": runs, "median_seconds": seconds,
            "docs_per_s": round(docs / seconds, 1), "median_node_cpu_seconds": _median(runs, "node_cpu_seconds")}


def measure_size(client: Elasticsearch, es_url: str, size: int, reps: int, alias: str, folder: Path) -> dict:
    """Raw loader on each number of connections and rebuild, alternating, ``reps`` times each, for one size.

    Each run also records the CPU seconds the node spent meanwhile and the load average after it: on a
    shared machine they tell a slow node (more CPU) from a starved one (same CPU, more load).
    """
    manifest = convert.ensure([size], folder)[size]
    source = convert.paths(size, folder)[0]
    prepared = bulkload.prepare([source], f"{alias}-raw")
    kinds = [*(f"raw-{n}" for n in CONNECTIONS), "rebuild"]
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    for rep in range(reps):
        for kind in kinds if rep % 2 == 0 else reversed(kinds):
            settle(client)
            cpu_before = node_cpu_seconds(client)
            if kind == "rebuild":
                run = run_rebuild(source, alias)
            else:
                run = _raw_run(client, es_url, prepared, int(kind.split("-")[1]))
            run["node_cpu_seconds"] = round(node_cpu_seconds(client) - cpu_before, 1)
            run["load_average"] = round(os.getloadavg()[0], 2)
            if run.get("indexed", prepared.documents) != prepared.documents:
                raise RuntimeError(f"the rebuild indexed {run['indexed']} documents, the raw loader "
                                   f"{prepared.documents}: they did not load the same corpus")
            runs[kind].append(run)
            print(f"  {convert.label(size)} {kind}: {run}", file=sys.stderr)
    docs = prepared.documents
    raw = [_raw_summary(runs[f"raw-{n}"], docs) for n in CONNECTIONS]
    fastest = min(raw, key=lambda r: r["median_seconds"])
    single = raw[0]
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
        "raw_by_connections": raw,
        "raw": fastest,
        "rebuild": {
            "runs": runs["rebuild"],
            "median_seconds": wall_median,
            "median_reported_seconds": reported_median,
            "docs_per_s": round(docs / wall_median, 1),
            "docs_per_s_reported": round(docs / reported_median, 1) if reported_median else None,
            "median_node_cpu_seconds": _median(runs["rebuild"], "node_cpu_seconds"),
            "median_cpu_seconds": _median(runs["rebuild"], "cpu_seconds"),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs["rebuild"]),
            "peak_rss_with_workers_mb": max(r["peak_rss_with_workers_mb"] for r in runs["rebuild"]),
        },
        "ratio": round(fastest["median_seconds"] / wall_median, 3),
        "ratio_reported": round(fastest["median_seconds"] / reported_median, 3) if reported_median else None,
        "ratio_single_connection": round(single["median_seconds"] / wall_median, 3),
    }


def pipeline_section(client: Elasticsearch, sizes: list[dict], folder: Path) -> dict:
    """The null-sink pipeline at PIPELINE_SIZE (else the smallest size), against the node's raw rate per core:
    documents per CPU second the node spent in the fastest raw runs. It starts once the node has finished the
    merges of the last load, which would otherwise take cores from it."""
    row = next((r for r in sizes if r["size"] == PIPELINE_SIZE), sizes[0])
    settle(client)
    print(f"pipeline (null sink) {row['label']}", file=sys.stderr)
    result = {"size": row["size"], "label": row["label"],
              **pipeline.measure(convert.paths(row["size"], folder)[0])}
    node_cpu = row["raw"]["median_node_cpu_seconds"]
    # A quick raw run can end before the node's CPU counter moves: no per-core figure then.
    node_per_core = round(row["documents"] / node_cpu, 1) if node_cpu else None
    best = max(result["runs"], key=lambda run: run["per_cpu_s"])
    result.update(node_per_cpu_s=node_per_core,
                  ratio_per_core=round(best["per_cpu_s"] / node_per_core, 2) if node_per_core else None,
                  floor_ratio_per_core=round(result["library_floor"]["per_cpu_s"] / node_per_core, 2)
                  if node_per_core else None)
    return result


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
    results["pipeline"] = pipeline_section(client, results["sizes"], folder)
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
        raws = ", ".join(f"{r['connections']}: {r['docs_per_s']:.0f}" for r in row["raw_by_connections"])
        print(f"{row['label']:>5}: raw docs/s by connections {raws}; "
              f"rebuild {row['rebuild']['docs_per_s']:.0f} docs/s (ratio to the fastest {row['ratio']:.2f}, "
              f"in-process {row['ratio_reported']}; to one connection {row['ratio_single_connection']:.2f}), "
              f"peak RSS {row['rebuild']['peak_rss_mb']} MB ({row['rebuild']['peak_rss_with_workers_mb']} MB "
              "with workers)")
    line = results["pipeline"]
    print("pipeline (null sink): " + ", ".join(f"--workers {r['workers']} {r['per_s']:.0f}/s "
                                               f"({r['per_cpu_s']:.0f} per CPU s)" for r in line["runs"])
          + f"; node raw {line['node_per_cpu_s']} per CPU s; ratio per core {line['ratio_per_core']}"
          + f" (library-call floor {line['floor_ratio_per_core']})")


if __name__ == "__main__":
    main()

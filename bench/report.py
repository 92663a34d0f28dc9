"""Results → ``benchmarks.md`` (tables and targets) and ``benchmarks.png`` (a chart a person can read).

Reads ``throughput.json`` and ``latency.json`` from a results folder, whichever exist, so each benchmark can
refresh the report on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

THROUGHPUT_RATIO = 0.75  # of the fastest raw loader
SINGLE_CONNECTION_RATIO = 0.90  # of the raw loader on one connection (one request at a time)
PIPELINE_PER_CORE = 3.0  # the null-sink pipeline's articles per CPU second ÷ the node's raw docs per CPU second
WORKERS_SPEEDUP = 1.7  # --workers 2 ÷ --workers 1, null sink
FLATNESS = 0.85  # docs/s at the largest size ≥ this × docs/s at 10k: "roughly constant"
PEAK_RSS_MB = 150
API_P50, API_P99, HTML_RATIO = 1.15, 1.30, 1.30
LABELS = {"elasticsearch": "Elasticsearch direct", "floor": "thinnest Flask service", "api": "/api/search",
          "html": "/search (HTML)"}


def _load(folder: Path, name: str) -> dict | None:
    path = folder / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def targets(throughput: dict | None, latency: dict | None) -> list[dict]:
    """Each target of the benchmark brief with the measured value and whether it was met."""
    rows = []

    def add(name: str, value, bar: str, met: bool, floor=None) -> None:
        rows.append({"target": name, "value": value, "bar": bar, "met": bool(met), "floor": floor})

    if throughput:
        sizes = throughput["sizes"]
        for row in sizes:
            add(f"rebuild ÷ fastest raw _bulk docs/s at {row['label']}", row["ratio"], f"≥ {THROUGHPUT_RATIO}",
                row["ratio"] >= THROUGHPUT_RATIO)
            single = row.get("ratio_single_connection")
            if single is not None:
                add(f"rebuild ÷ one-connection raw _bulk at {row['label']}", single,
                    f"≥ {SINGLE_CONNECTION_RATIO}", single >= SINGLE_CONNECTION_RATIO)
        ten = next((r for r in sizes if r["size"] == 10_000), None)
        largest = sizes[-1]
        if ten and largest["size"] > ten["size"]:
            flat = round(largest["rebuild"]["docs_per_s"] / ten["rebuild"]["docs_per_s"], 3)
            add(f"rebuild docs/s at {largest['label']} ÷ at 10k", flat, f"≥ {FLATNESS}", flat >= FLATNESS)
        peak = largest["rebuild"]["peak_rss_mb"]
        add(f"indexer peak RSS at {largest['label']} (MB)", peak, f"≤ {PEAK_RSS_MB}", peak <= PEAK_RSS_MB)
        line = throughput.get("pipeline")
        if line and line["ratio_per_core"] is not None:
            add(f"null-sink pipeline per core ÷ node's raw rate per core ({line['label']})",
                line["ratio_per_core"], f"≥ {PIPELINE_PER_CORE}", line["ratio_per_core"] >= PIPELINE_PER_CORE,
                line.get("floor_ratio_per_core"))
        if line and line.get("speedup_2_over_1"):
            add("null-sink pipeline --workers 2 ÷ --workers 1", line["speedup_2_over_1"],
                f"≥ {WORKERS_SPEEDUP}", line["speedup_2_over_1"] >= WORKERS_SPEEDUP)
    if latency:
        clients = [r["clients"] for r in latency["ratios"]]
        floors = {r["clients"]: r for r in latency["ratios"] if r["target"] == "floor"}
        for row in (r for r in latency["ratios"] if r["clients"] in (min(clients), max(clients))
                    and r["target"] in ("api", "html")):
            bars = {"p50": API_P50, "p99": API_P99} if row["target"] == "api" else {"p50": HTML_RATIO,
                                                                                    "p99": HTML_RATIO}
            for p, bar in bars.items():
                add(f"/{'api/search' if row['target'] == 'api' else 'search'} {p} ÷ Elasticsearch at "
                    f"{row['clients']} client{'s' if row['clients'] > 1 else ''}", row[p], f"≤ {bar}",
                    row[p] <= bar, floors.get(row["clients"], {}).get(p))
        under = latency.get("rebuild_under_load")
        if under:
            add("failed searches during a rebuild", under["failed"], "0", under["failed"] == 0)
    return rows


def _machine_line(m: dict) -> str:
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    load = " / ".join(map(str, m["load_average_at_start"]))
    return (f"{m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, load average at start {load}; "
            f"{m['os']}; Python {m['python']}; Elasticsearch {m['elasticsearch']} "
            f"({m['elasticsearch_nodes']} node, heap {m['elasticsearch_heap_gib']} GiB); {libs}. "
            f"Recorded {m['recorded_at']}.")


def _row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _throughput_section(t: dict) -> list[str]:
    connections = [r["connections"] for r in t["sizes"][0].get("raw_by_connections", [t["sizes"][0]["raw"]])]
    lines = ["## Rebuild throughput and memory", "", f"Machine: {_machine_line(t['machine'])}", "",
             _row("articles (derived)", "documents", *(f"raw `_bulk` docs/s, {n} conn." for n in connections),
                  "rebuild docs/s", "ratio to fastest raw", "ratio, rebuild's own time", "ratio to 1 conn.",
                  "indexer peak RSS (MB)", "with workers (MB)", "indexer CPU s", "node CPU s, fastest raw",
                  "node CPU s, rebuild", "load avg. (rebuild runs)", "repetitions"),
             "|" + "---:|" * (13 + len(connections))]
    for r in t["sizes"]:
        raw, rebuild = r["raw"], r["rebuild"]
        loads = "/".join(f"{run['load_average']:g}" for run in rebuild["runs"])
        lines.append(_row(f"{r['articles']:,} ({r['derived']:,})", f"{r['documents']:,}",
                          *(f"{x['docs_per_s']:,.0f}" for x in r.get("raw_by_connections", [raw])),
                          f"{rebuild['docs_per_s']:,.0f}", f"{r['ratio']:.2f}", r["ratio_reported"],
                          r.get("ratio_single_connection", "–"), rebuild["peak_rss_mb"],
                          rebuild.get("peak_rss_with_workers_mb", "–"), rebuild["median_cpu_seconds"],
                          raw["median_node_cpu_seconds"], rebuild["median_node_cpu_seconds"], loads,
                          len(raw["runs"])))
    lines += ["", "Ratio = median seconds of the fastest raw loader ÷ median seconds of the whole `dateline index "
              "rebuild` command (interpreter start included, default `--workers`); the next column uses the "
              "time the rebuild reports itself, the one after that the raw loader on one connection (one "
              "request at a time). CPU columns are medians: the indexer process's own (its workers' "
              "included), and what the Elasticsearch node spent during each kind of run (equal work should "
              "cost equal CPU; other users of the node count too). Peak RSS with workers sums the resident "
              "memory of the indexer and its worker processes, polled, so pages they share count twice. "
              "Derived articles are copies of real ones with new ids, shifted dates and shuffled paragraphs "
              "(see `bench/convert.py`).", ""]
    line = t.get("pipeline")
    if line:
        lines += ["### The pipeline alone (null sink)", "",
                  f"{line['label']} articles read, parsed, enriched, clustered and serialised into bulk action "
                  "lines that are thrown away (`bench/pipeline.py`), in the benchmark process after a warm-up; "
                  f"--workers 1 and 2 in turn, {line.get('rounds', 1)} times, the median run of each.",
                  "", _row("--workers", "articles/s", "CPU s", "articles per CPU s", "load avg."),
                  "|---:|---:|---:|---:|---:|"]
        lines += [_row(r["workers"], f"{r['per_s']:,.0f}", r["cpu_seconds"], f"{r['per_cpu_s']:,.0f}",
                       r["load_average"]) for r in line["runs"]]
        per_core = (f"The node's raw rate per core: {line['node_per_cpu_s']:,.0f} documents per CPU second it "
                    f"spent in the fastest raw runs; the pipeline's best per CPU second is "
                    f"{line['ratio_per_core']} × that." if line["node_per_cpu_s"]
                    else "The raw runs were too short for the node's CPU time to register.")
        floor = line.get("library_floor")
        if floor and line.get("floor_ratio_per_core"):
            per_core += (f" The floor, only the library calls the per-article work rests on (`library_floor` in "
                         f"`bench/pipeline.py`), makes {floor['per_cpu_s']:,.0f} articles per CPU second: "
                         f"{line['floor_ratio_per_core']} × the node's rate per core.")
        lines += ["", f"{per_core} `--workers 2` ÷ `--workers 1`: {line.get('speedup_2_over_1')}.", ""]
    return lines


def _latency_section(lat: dict) -> list[str]:
    plan, corpus = lat["plan"], lat["corpus"]
    lines = ["## Search latency", "", f"Machine: {_machine_line(lat['machine'])}", "",
             f"{corpus['articles']:,} articles ({corpus['derived']:,} derived), {plan['queries']} searches, "
             f"{plan['seconds']:g} s measured per cell in {plan['rounds']} slices (warm-up "
             f"{plan['warmup']:g} s each), `dateline serve` with {plan['workers']} workers × "
             f"{plan['threads_per_worker']} threads, loopback only.", "",
             _row("clients", "target", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms",
                  "p50 × ES", "p95 × ES", "p99 × ES"),
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    ratio_of = {(r["target"], r["clients"]): r for r in lat["ratios"]}
    for c in lat["cells"]:
        r = ratio_of.get((c["target"], c["clients"]), {})
        lines.append(_row(c["clients"], c["target"], f"{c['requests']:,}", c["errors"], c["per_second"],
                          c["p50_ms"], c["p95_ms"], c["p99_ms"], r.get("p50", "–"), r.get("p95", "–"),
                          r.get("p99", "–")))
    if any(c["target"] == "floor" for c in lat["cells"]):
        lines += ["", "`floor`: the Elasticsearch requests of the same searches through the thinnest Flask service "
                  "(`bench/passthrough.py`: dateline's client, the answer decoded and encoded again, no work of its "
                  "own) under the same server and layout: the part of each ratio that Flask, the client and the "
                  "server take before the service does anything."]
    if lat.get("service_cpu"):
        cpu = lat["service_cpu"]
        lines += ["", "The service's own CPU time per search, in process, with Elasticsearch's recorded answers given "
                  "from memory (no node, no network; thread CPU time, so other processes do not count): "
                  + "; ".join(f"{LABELS[t]} p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms, mean {c['mean_ms']} ms"
                              for t, c in cpu.items())
                  + f". {lat['searches_with_more_requests']} of {plan['queries']} searches made more than one "
                  "request to Elasticsearch (searched again in any spelling, or alternatives); the direct "
                  "baseline replays every one of them."]
    if lat.get("load_average_at_end"):
        lines += ["", f"Load average at the end: {' / '.join(map(str, lat['load_average_at_end']))}."]
    u = lat.get("rebuild_under_load")
    if not u:
        return lines + [""]
    lines += ["", "## Rebuild under load", "",
              f"{u['clients']} clients searched `/api/search` while `dateline index rebuild` loaded "
              f"{corpus['articles']:,} articles and moved the alias from `{u['index_before']}` to "
              f"`{u['index_after']}` ({u['rebuild_seconds']} s): **{u['failed']} failed** of "
              f"{u['requests']:,} searches (p50 {u['p50_ms']} ms, p99 {u['p99_ms']} ms). A search fails "
              "if its answer is not 200 or its total differs from the total before the rebuild."]
    if u["error_examples"]:
        lines.append(f"Failures seen: {'; '.join(u['error_examples'])}.")
    return lines + [""]


def markdown(throughput: dict | None, latency: dict | None) -> str:
    lines = ["# Benchmarks: dateline against Elasticsearch itself", ""]
    if (throughput or latency or {}).get("quick"):
        lines += ["**Quick mode**: tiny corpora and short cells, to check that the benchmark code works. "
                  "These figures are not the product's.", ""]
    if throughput:
        lines += _throughput_section(throughput)
    if latency:
        lines += _latency_section(latency)
    rows = targets(throughput, latency)
    if rows:
        lines += ["## Targets", "", "| target | measured | bar | met | floor |", "|---|---:|---:|---|---:|"]
        lines += [f"| {t['target']} | {t['value']} | {t['bar']} | {_met(t['met'])} | "
                  f"{'–' if t['floor'] is None else t['floor']} |" for t in rows]
        lines += ["", "Floor: the same measure of the least any Python service or pipeline must do, where the "
                  "benchmark has one: the thinnest Flask service for the search latency, the library calls "
                  "alone for the pipeline (see each section).", ""]
    lines.append("Chart: `benchmarks.png`. Figures: `throughput.json`, `latency.json`; searches: "
                 "`queries.json`.")
    return "\n".join(lines) + "\n"


def chart(throughput: dict | None, latency: dict | None, path: Path) -> None:
    """Throughput and peak RSS by size (top), latency percentiles by clients for each target (bottom)."""
    figure = plt.figure(figsize=(15, 9), layout="constrained")
    quick = (throughput or latency or {}).get("quick")
    figure.suptitle("dateline against Elasticsearch itself" + (" (quick mode: not the product's figures)"
                                                                if quick else ""))
    grid = figure.add_gridspec(2, 3)
    if throughput:
        sizes = throughput["sizes"]
        labels = [r["label"] for r in sizes]
        x = range(len(sizes))
        axis = figure.add_subplot(grid[0, :2])
        raw = [r["raw"]["docs_per_s"] for r in sizes]
        rebuilt = [r["rebuild"]["docs_per_s"] for r in sizes]
        axis.bar([i - 0.2 for i in x], raw, 0.4, label="raw _bulk, fastest of 1, 2, 4 connections",
                 color="#888888")
        bars = axis.bar([i + 0.2 for i in x], rebuilt, 0.4, label="dateline index rebuild", color="#1f77b4")
        axis.bar_label(bars, labels=[f"×{r['ratio']:.2f}" for r in sizes])
        axis.set(xticks=list(x), xticklabels=labels, xlabel="articles", ylabel="documents per second",
                 title="Rebuild throughput (median)")
        axis.legend(loc="upper right")
        axis = figure.add_subplot(grid[0, 2])
        axis.bar(labels, [r["rebuild"]["peak_rss_mb"] for r in sizes], color="#1f77b4")
        axis.axhline(PEAK_RSS_MB, color="#d62728", linestyle="--", label=f"target {PEAK_RSS_MB} MB")
        axis.set(xlabel="articles", ylabel="MB", title="Indexer peak RSS")
        axis.legend(loc="lower right")
    if latency:
        colours = {"elasticsearch": "#888888", "floor": "#2ca02c", "api": "#1f77b4", "html": "#ff7f0e"}
        for column, p in enumerate(("p50", "p95", "p99")):
            axis = figure.add_subplot(grid[1, column])
            for target, colour in colours.items():
                cells = [c for c in latency["cells"] if c["target"] == target]
                if not cells:  # results from before the floor was measured
                    continue
                axis.plot([c["clients"] for c in cells], [c[f"{p}_ms"] for c in cells], marker="o",
                          color=colour, label=LABELS[target])
            clients = sorted({c["clients"] for c in latency["cells"]})
            axis.set(xscale="log", xlabel="clients", ylabel="ms", title=f"Search latency {p}")
            axis.minorticks_off()
            axis.set(xticks=clients, xticklabels=[str(c) for c in clients])
            axis.set_ylim(bottom=0)
            axis.legend()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def living_markdown(living: dict | None) -> str:
    """The living archive's section (``bench/living.py``), empty without its results."""
    if not living:
        return ""
    versus, one = living["add_vs_rebuild"], living["one_article_searchable_seconds"]
    searches = living["searches"]
    failed = sum(counts["failed"] for counts in searches.values())
    rows = "\n".join(f"| {phase} | {counts['searches']:,} | {counts['failed']} |" for phase, counts in searches.items())
    return f"""
## Living archive

Base index of {living['base']:,} articles, load average at start {living['load_average']:.1f} (`bench/living.py`).

| measure | measured | bar | met |
|---|---:|---:|---|
| one added article searchable after the command starts, median of {one['runs']} (s) | {one['median']} | ≤ 2 | \
{_met(one['median'] <= 2)} |
| `add` ÷ `rebuild` throughput, {living['size']:,} articles ({versus['add_seconds']} s against \
{versus['rebuild_seconds']} s) | {versus['throughput_ratio']} | ≥ 0.9 | {_met(versus['throughput_ratio'] >= 0.9)} |
| failed searches during rebuild, add, delete and watch | {failed} | 0 | {_met(failed == 0)} |

Slowest one-article add {one['max']} s; `delete` of {living['delete_seconds']['ids']} ids \
{living['delete_seconds']['seconds']} s; `watch` picked up {living['watch']['files']} files \
({living['watch']['log_lines']} log lines, exit {living['watch']['exit']}).

| phase | searches | failed |
|---|---:|---:|
{rows}
"""


def _met(yes: bool) -> str:
    return "yes" if yes else "**no**"


def write(folder: Path) -> list[Path]:
    """Write ``benchmarks.md`` and ``benchmarks.png`` into ``folder`` from the results found there."""
    throughput, latency = _load(folder, "throughput"), _load(folder, "latency")
    md, png = folder / "benchmarks.md", folder / "benchmarks.png"
    md.write_text(markdown(throughput, latency) + living_markdown(_load(folder, "living")))
    chart(throughput, latency, png)
    return [md, png]

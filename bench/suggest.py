"""Autocomplete latency: ``python -m bench.suggest [--quick]``.

Prefixes as a reader types them (the first one to six letters of words from headlines of the corpus, and a
word and the start of the next) go to two targets, one client at a time and then several:

- ``elasticsearch``: the request ``/api/suggest`` sends the node for each prefix, recorded from the service's
  client (``bench.latency.InProcess``) and replayed straight to the node (the baseline);
- ``api``: ``GET /api/suggest?q=...`` from ``dateline serve``.

The bar is the one a reader feels while typing: the answer within 50 ms at the median, one client. The ratio
to the node says how much of that is the service's own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from dateline import config
from dateline.client import connect

from . import convert, load, queries
from .latency import InProcess, ensure_index, serving
from .throughput import QUICK_RESULTS, RESULTS, settle

FULL = {"size": 10_000, "clients": (1, 4), "seconds": 10.0, "prefixes": 300}
QUICK = {"size": 600, "clients": (1,), "seconds": 3.0, "prefixes": 40}
BAR_MS = 50.0
SEED = 20261201


def prefixes(articles_file: Path, count: int, seed: int = SEED) -> list[str]:
    """``count`` prefixes typed towards words of the headlines of a sample of the corpus, drawn reproducibly."""
    rng = random.Random(seed)
    typed = []
    for article in queries.sample(articles_file, count, rng):
        words = [w.strip(".,;:'\"()") for w in (article.headline or "").split()]
        words = [w for w in words if w]
        if not words:
            continue
        k = rng.randrange(len(words))
        cut = words[k][:rng.randint(1, min(6, len(words[k])))]
        typed.append(f"{words[k - 1]} {cut}" if k and rng.random() < 0.3 else cut)
    return typed


def run(plan: dict, alias: str, out: Path, folder: Path = convert.WORK, quick: bool = False) -> dict:
    settings = config.from_env()
    client = connect(settings)
    es_url = urlsplit(settings.es_urls[0])
    size = plan["size"]
    convert.ensure([size], folder)
    source = convert.paths(size, folder)[0]
    ensure_index(client, alias, source)
    typed = prefixes(source, plan["prefixes"])
    service = InProcess(settings, alias)
    sent = []
    for prefix in typed:
        service.sent.clear()
        service.get("/api/suggest?" + urlencode({"q": prefix}))
        sent.append(service.sent[0])
    requests = {"elasticsearch": sent,
                "api": [load.Request("GET", "/api/suggest?" + urlencode({"q": p})) for p in typed]}
    results = {"benchmark": "suggest", "quick": quick, "alias": alias, "articles": size, "prefixes": len(typed),
               "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "cells": []}
    with serving(alias, workers=2) as port:
        hosts = {"elasticsearch": (es_url.hostname, es_url.port or 9200), "api": ("127.0.0.1", port)}
        settle(client)
        for clients in plan["clients"]:
            for target in ("elasticsearch", "api"):
                summary, _ = load.run(*hosts[target], requests[target], clients, seconds=plan["seconds"],
                                      warmup=1.0)
                results["cells"].append({"target": target, "clients": clients, **summary})
                print(f"  {clients:>2} clients {target:>13}: p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} "
                      f"ms, {summary['errors']} errors", file=sys.stderr)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out.mkdir(parents=True, exist_ok=True)
    (out / "suggest.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "suggest.md").write_text(markdown(results))
    return results


def markdown(results: dict) -> str:
    cells = {(c["target"], c["clients"]): c for c in results["cells"]}
    lines = ["# Autocomplete latency", "",
             f"`bench/suggest.py`: {results['prefixes']} typed prefixes against {results['articles']:,} articles; "
             f"load average {results['load_average_at_start'][0]} at the start, "
             f"{results['load_average_at_end'][0]} at the end.", "",
             "| clients | target | requests | errors | p50 ms | p99 ms | p50 × node | p99 × node |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for (target, clients), cell in cells.items():
        base = cells[("elasticsearch", clients)]
        ratios = "– | –" if target == "elasticsearch" else \
            f"{cell['p50_ms'] / base['p50_ms']:.2f} | {cell['p99_ms'] / base['p99_ms']:.2f}"
        lines.append(f"| {clients} | {target} | {cell['requests']} | {cell['errors']} | {cell['p50_ms']} | "
                     f"{cell['p99_ms']} | {ratios} |")
    p50 = cells[("api", 1)]["p50_ms"]
    lines += ["", f"Bar: `/api/suggest` p50 at one client ≤ {BAR_MS:g} ms: {p50} ms, "
                  f"{'met' if p50 <= BAR_MS else '**not met**'}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.suggest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small corpus and short cells")
    parser.add_argument("--size", type=int, help="articles in the index [default: 10000]")
    parser.add_argument("--alias", help="alias to build and search [default: bench, or bench-quick]")
    parser.add_argument("--out", type=Path, help="results folder [default: bench/results]")
    args = parser.parse_args(argv)
    plan = dict(QUICK if args.quick else FULL)
    if args.size:
        plan["size"] = args.size
    alias = args.alias or ("bench-quick" if args.quick else "bench")
    run(plan, alias, args.out or (QUICK_RESULTS if args.quick else RESULTS), quick=args.quick)


if __name__ == "__main__":
    main()

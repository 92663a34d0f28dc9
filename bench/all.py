"""The whole benchmark in one run: ``python -m bench.all [--quick]``.

Converts the corpora (if not done yet), measures rebuild throughput and memory, then search latency and a
rebuild under load, and writes ``throughput.json``, ``latency.json``, ``benchmarks.md`` and
``benchmarks.png``. The full run takes about 40 minutes on two quiet cores; ``--quick`` about a minute.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import convert, latency, mapping, report, suggest, throughput


def run(alias: str, out: Path, quick: bool = False, profile: bool = False, workers: int = 2,
        folder: Path = convert.WORK) -> list[Path]:
    sizes = throughput.QUICK_SIZES if quick else throughput.FULL_SIZES
    plan = dict(latency.QUICK if quick else latency.FULL)
    convert.ensure(sorted(set(sizes) | {plan["size"]}), folder)
    throughput.run(dict(sizes), alias, out, folder, profile=profile, quick=quick)
    latency.run(plan, alias, out, workers, folder, quick=quick)
    mapping.run(alias, out, folder, quick=quick)
    suggest.run(dict(suggest.QUICK if quick else suggest.FULL), alias, out, folder, quick=quick)
    return report.write(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny corpora, short cells")
    parser.add_argument("--alias", help="alias to build and search [default: bench, or bench-quick]")
    parser.add_argument("--out", type=Path, help="results folder [default: bench/results]")
    parser.add_argument("--profile", action="store_true", help="also profile one rebuild of the largest size")
    args = parser.parse_args(argv)
    alias = args.alias or ("bench-quick" if args.quick else "bench")
    out = args.out or (throughput.QUICK_RESULTS if args.quick else throughput.RESULTS)
    for path in run(alias, out, quick=args.quick, profile=args.profile):
        print(path)


if __name__ == "__main__":
    main()

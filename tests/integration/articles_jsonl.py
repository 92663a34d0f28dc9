"""JSON Lines archives for rebuild tests: writing records out, and ``count`` distinct articles of random words."""

from __future__ import annotations

import json
import random
from pathlib import Path


def records(count: int, prefix: str = "a", seed: int = 7) -> list[dict]:
    """``count`` articles in the indexer's JSON Lines shape with ids ``<prefix>00000``... and random bodies."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abdeghiklmnoprstuvyz") for _ in range(rng.randrange(4, 10)))
                  for _ in range(2000)]
    return [{"id": f"{prefix}{n:05d}", "published": f"2021-{1 + n % 12:02d}-{1 + n % 28:02d}",
             "headline": f"Report {n}", "body": " ".join(rng.choices(vocabulary, k=40)).capitalize() + "."}
            for n in range(count)]


def write(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return path

"""`dateline index rebuild` over a folder where good articles sit among every kind of bad input.

Good articles (UTF-8, Latin-1 and invalid-UTF-8 text files, JSON Lines records) are mixed with binary and
empty files, a 50 MB file, articles without a dateline or a date, broken JSON lines, symlink loops, a named
pipe and files and folders the indexer may not read. The rebuild must index every good article, name every
bad input with its reason, and the numbers must add up: each input is either a document in the index or a
line of the "Skipped" list, never neither.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dateline import schema

DATELINE = str(Path(sys.executable).with_name("dateline"))
MONTHS = "January February March April May June July August September October November December".split()


def _dropping_file_read_privileges() -> list[str]:
    """A command prefix under which permission bits apply: root reads every file, so drop that capability."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): unreadable files cannot be simulated")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


class Corpus:
    """The inputs written, and what the rebuild must make of each: a document, or a skip with its reason."""

    def __init__(self, root: Path):
        self.root = root
        self.good: set[str] = set()  # paths as the index stores them ("file" or "file:line")
        self.fallback: dict[str, str] = {}  # path -> encoding that must be named
        self.bad: dict[str, str] = {}  # "path" or "path:line" -> reason (a prefix of it for long ones)
        self.locked: list[Path] = []

    def text(self, name: str, data: bytes, reason: str | None = None, encoding: str | None = None) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self._expect(str(path), reason, encoding)
        return path

    def jsonl(self, name: str, lines: list[tuple[bytes, str | None, str | None]]) -> None:
        """Lines as (raw bytes, reason if bad, fallback encoding if any)."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\n".join(raw for raw, _, _ in lines) + b"\n")
        for number, (_, reason, encoding) in enumerate(lines, 1):
            self._expect(f"{path}:{number}", reason, encoding)

    def _expect(self, where: str, reason: str | None, encoding: str | None) -> None:
        if reason is None:
            self.good.add(where)
            if encoding:
                self.fallback[where] = encoding
        else:
            self.bad[where] = reason


def _article(n: int, rng: random.Random) -> str:
    """A unique article in one of three dateline styles, each of which gives a date."""
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    words = f"Report {n}: shipment {rng.randrange(10**6)} of grain left port {n % 17} under inspection {n}."
    style = n % 3
    if style == 0:
        return f" date 2022-{month:02d}-{day:02d}\nBAKU, Azerbaijan, {MONTHS[month - 1]} {day}. {words}\n"
    if style == 1:
        return f"LONDON, {MONTHS[month - 1]} {day}, 2021 - {words}\n\nOfficials said more would follow.\n"
    return (f"TBILISI, Georgia, {MONTHS[month - 1]} {day}. {words} Talks began on {MONTHS[month - 1]} 1, "
            f"2020.\n")


POOR_GUESS = "a poor guess"  # any encoding, as long as it is named and reported for checking

# JSON Lines records that give no article, by the good line they follow, and the reason the rebuild must give.
BAD_LINES = {
    20: (b'{"body": "BAKU, May 5. broken" "published": 1}', "broken JSON"),
    40: (b"[1, 2, 3]", "not a JSON object but list"),
    60: (b'{"published": "2023-05-05", "headline": "no body"}', 'no "body"'),
    80: (b'{"body": "Words without a dateline or a date."}', None),  # undated, not lost
    100: (b'{"body": "BAKU, May 5. x", "published": "May"}', None),  # noted, undated
    120: (b'{"body": "LONDON, May 5 - Oil rose.", "published": "2023-05-05", "trunc', "broken JSON"),
}


def write_corpus(root: Path) -> Corpus:
    rng = random.Random(7)
    corpus = Corpus(root)
    n = 0
    for _ in range(40):
        n += 1
        corpus.text(f"good/article-{n:03d}.txt", _article(n, rng).encode())
    for _ in range(5):  # Latin-1: decoded with the cp1252 fallback, named as such
        n += 1
        text = _article(n, rng).replace("grain", "café grain for the Société")
        corpus.text(f"good/latin1-{n:03d}.txt", text.encode("latin-1"), encoding="cp1252")
    for _ in range(3):  # bytes that are neither UTF-8 nor cp1252: some guess, named and reported as poor
        n += 1
        text = _article(n, rng).encode().replace(b"grain", b"gr\x81in \x8d\xff")
        corpus.text(f"good/invalid-utf8-{n:03d}.txt", text, encoding=POOR_GUESS)

    lines = []
    for k in range(150):
        n += 1
        record = {"id": f"wire-{n}", "published": f"2023-{k % 12 + 1:02d}-{k % 28 + 1:02d}",
                  "body": f"BAKU, Azerbaijan, May 5. Wire item {n} on cargo {rng.randrange(10**6)}."}
        lines.append((json.dumps(record).encode(), None, None))
        if k in BAD_LINES:
            lines.append((*BAD_LINES[k], None))
    latin1 = '{"id": "wire-latin1", "published": "2023-06-01", "body": "PARIS, June 1 - Caf\xe9 cr\xe8me."}'
    lines.append((latin1.encode("latin-1"), None, "cp1252"))
    lines.append((b'{"id": "wire-c1", "published": "2023-06-02", "body": "PARIS, June 2 - Odd \x81 byte."}',
                  None, POOR_GUESS))
    corpus.jsonl("feeds/wire.jsonl", lines)

    bad = "bad"
    corpus.text(f"{bad}/binary.txt", bytes(rng.randrange(256) for _ in range(4096)) + b"\x00", "binary file")
    corpus.text(f"{bad}/program", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "binary file")
    corpus.text(f"{bad}/image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unsupported file type (.png)")
    corpus.text(f"{bad}/empty.txt", b"", "empty file")
    corpus.text(f"{bad}/blank.txt", b" \n\t\n \r\n", "empty file")
    corpus.text(f"{bad}/empty.jsonl", b"\n\n", "empty file")
    # Readable but undated: indexed all the same.
    corpus.text("undated/no-dateline.txt", b"Just a note.\n\nNo place, no date.\n")
    corpus.text("undated/no-date.txt", b"LONDON (Reuters) - Oil rose on Tuesday.\n")
    corpus.text("undated/impossible-date.txt", b" date 2023-02-30\nBAKU, Azerbaijan, February 30. Words.\n")

    huge = root / bad / "huge.txt"  # 50 MB of a real article's text: refused by size before it is read
    with huge.open("wb") as out:
        out.write(_article(0, rng).encode())
        chunk = b"More words of an endless article. " * (2**20 // 34)
        while out.tell() < 50 * 2**20:
            out.write(chunk)
    corpus.bad[str(huge)] = "file larger than 10 MB"

    links = root / bad / "links"
    links.mkdir()
    (links / "parent").symlink_to("..")
    corpus.bad[str(links / "parent")] = "symlink loop"
    (links / "self").symlink_to("self")
    corpus.bad[str(links / "self")] = "symlink loop"
    (links / "dangling.txt").symlink_to("nowhere.txt")
    corpus.bad[str(links / "dangling.txt")] = "no such file or folder (or a broken symlink)"
    os.mkfifo(root / bad / "pipe.txt")  # opening it would block for ever
    corpus.bad[str(root / bad / "pipe.txt")] = "not a regular file"

    n += 1
    locked_file = corpus.text(f"{bad}/locked.txt", _article(n, rng).encode(),
                              "cannot read file: permission denied")
    n += 1
    locked_dir = root / bad / "locked-folder"
    locked_dir.mkdir()
    (locked_dir / "inside.txt").write_bytes(_article(n, rng).encode())  # named through its folder
    corpus.bad[str(locked_dir)] = "cannot read folder: permission denied"
    locked_file.chmod(0)
    locked_dir.chmod(0)
    corpus.locked = [locked_file, locked_dir]
    return corpus


def _summary(stdout: str) -> tuple[int, int, dict[str, str], dict[str, str]]:
    """(indexed, duplicates, {skipped where: reason}, {decoded path: encoding}) from the CLI's summary; the
    encoding of a file listed as a poor guess is POOR_GUESS."""
    summary = re.search(r"Indexed (\d+) articles .* \((\d+) duplicates merged\)", stdout)
    indexed, duplicates = int(summary[1]), int(summary[2])
    skipped, decoded, in_skipped = {}, {}, False
    for line in stdout.splitlines():
        if line.startswith("Skipped "):
            in_skipped = True
        elif not line.startswith("  "):
            in_skipped = False
        elif in_skipped:
            where, reason = line[2:].split(": ", 1)
            skipped[where] = reason
        elif found := re.fullmatch(r"  decoded with (\S+) \(not UTF-8\): (.+)", line):
            decoded[found[2]] = found[1]
        elif found := re.fullmatch(r"  (.+): read as \S+, a poor guess: .+", line):
            decoded[found[1]] = POOR_GUESS
    return indexed, duplicates, skipped, decoded


def test_every_good_article_is_indexed_and_every_bad_input_is_named(es, index_names, es_settings, tmp_path,
                                                                    output_dir):
    corpus = write_corpus(tmp_path / "corpus")
    env = {**os.environ, "DATELINE_ALIAS": index_names, "ES_URL": es_settings.es_urls[0]}
    try:
        result = subprocess.run([*_dropping_file_read_privileges(), DATELINE, "index", "rebuild", "--source",
                                 str(corpus.root)], capture_output=True, text=True, env=env, timeout=180)
    finally:
        for path in corpus.locked:
            path.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    indexed, duplicates, skipped, decoded = _summary(result.stdout)
    # Every bad input is named, with its reason.
    assert set(skipped) == set(corpus.bad)
    for where, reason in corpus.bad.items():
        assert skipped[where].startswith(reason), (where, skipped[where])
    # Every good article is in the index, found by the path it came from; nothing else is.
    hits = es.search(index=index_names, size=1000, _source=[schema.PATH], track_total_hits=True)["hits"]
    assert {hit["_source"][schema.PATH] for hit in hits["hits"]} == corpus.good
    assert hits["total"]["value"] == indexed == len(corpus.good)
    # The counts add up: each input is a document or a skip, and the fallback decodings are named.
    assert duplicates == 0
    assert indexed + len(skipped) == len(corpus.good) + len(corpus.bad)
    assert decoded == corpus.fallback

    (output_dir / "reliability-broken-corpus.json").write_text(json.dumps({
        "inputs": len(corpus.good) + len(corpus.bad), "indexed": indexed, "skipped": len(skipped),
        "fallback_decodings": len(decoded), "articles_lost": len(corpus.good) - indexed,
    }, indent=2))

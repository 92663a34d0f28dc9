"""Reading files safely: bounded reads, decoding, plain reasons for OS errors, and walking folders."""

from __future__ import annotations

import codecs
import errno
import gzip
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import charset_normalizer

from ..article import Skip
from ..language import fit as language_fit

_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f")


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Encodings news archives are written in, for the detector to choose from; an exact tie between them (short
# texts often read the same in cp1250, cp1252 and cp1257 but for a letter or two) goes to the earlier one.
_LEGACY_ENCODINGS = (
    "cp1252", "cp1251", "koi8_r", "cp1254", "cp1250", "iso8859_15", "latin_1", "iso8859_2", "koi8_u",
    "iso8859_5", "mac_cyrillic", "cp866", "iso8859_9", "cp1253", "iso8859_7", "cp1257", "iso8859_13", "cp1256",
    "cp1255", "big5", "gb18030", "shift_jis", "euc_jp", "euc_kr",
)
# A guess above this share of odd characters, or in no language the detector recognises, is reported.
_POOR_CHAOS = 0.1
_NEAR_CHAOS = 0.01  # guesses this close to the best are weighed by the language they give
_POOR_COHERENCE = 0.1


def _bom_encoding(raw: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if raw.startswith(bom)), None)


def is_binary(raw: bytes) -> bool:
    """NUL bytes, or mostly control characters, in the first 8 KB (UTF-16 and UTF-32 with a BOM are text)."""
    head = raw[:8192]
    if _bom_encoding(head):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > len(head) * 0.3


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", or the encoding read from a BOM or guessed ("cp1251", "koi8-r", "utf-16")
    poor_guess: str | None = None  # why the guessed encoding may be wrong, for the operator to check


def _most_readable(raw: bytes, matches: list) -> str:
    """Of encodings the detector finds about as plausible, the one whose text reads most like a language: a
    short Turkish text reads about as well in cp1250, cp1252 and cp1254 to the charset detector, but only
    cp1254 gives Turkish words. Equal texts go to the encoding earlier in the list of legacy encodings."""
    texts: dict[str, str] = {}
    for match in matches:
        for name in [match.encoding, *match.could_be_from_charset]:
            if name in _LEGACY_ENCODINGS:
                texts.setdefault(name, str(match))
    if len(set(texts.values())) <= 1:
        return min(texts, key=_LEGACY_ENCODINGS.index, default=matches[0].encoding)
    return max(texts, key=lambda name: (language_fit(texts[name]), -_LEGACY_ENCODINGS.index(name)))


def decode(raw: bytes) -> Decoded | str:
    """The text of ``raw``: UTF-8 (BOM stripped), UTF-16/32 by their BOM, else the encoding charset-normalizer
    finds most plausible. A string with the reason when no encoding reads it as text."""
    try:
        return Decoded(raw.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    if bom := _bom_encoding(raw):
        try:
            return Decoded(raw.decode(bom), bom)
        except UnicodeDecodeError:
            return f"undecodable: {bom} byte order mark but not {bom} text"
    matches = charset_normalizer.from_bytes(raw, cp_isolation=list(_LEGACY_ENCODINGS))
    best = matches.best()
    if best is None:
        return "undecodable: neither UTF-8 nor any common news encoding reads it as text"
    encoding = _most_readable(raw, [match for match in matches if match.chaos <= best.chaos + _NEAR_CHAOS])
    poor = None
    if best.chaos > _POOR_CHAOS:
        poor = f"{best.percent_chaos:.0f}% of it reads as garbled characters"
    elif best.coherence < _POOR_COHERENCE:
        poor = "it reads as no language the detector knows"
    return Decoded(raw.decode(encoding), codecs.lookup(encoding).name, poor)


def encoding_notes(decoded: Decoded) -> list[str]:
    """What an operator should check about how a text was decoded."""
    if decoded.poor_guess is None:
        return []
    return [f"read as {decoded.encoding}, a poor guess: {decoded.poor_guess}"]


def open_binary(path: str):
    """The file's bytes as a stream; a ``.gz`` file decompressed."""
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")  # noqa: SIM115


def size_text(limit: int) -> str:
    if limit % 2**20 == 0:
        return f"{limit // 2**20} MB"
    return f"{limit // 1024} KB" if limit >= 1024 else f"{limit} bytes"


def os_reason(exc: OSError, what: str) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "no such file or folder (or a broken symlink)"
    return f"cannot read {what}: {(exc.strerror or str(exc)).lower()}"


def walk(source: str) -> Iterator[tuple[str, int] | Skip]:
    """Every regular file under ``source`` as (path, size), depth first in sorted order, and a ``Skip`` for
    what cannot be read. Hidden files and folders (".name") inside folders are ignored. The folders being read
    are a stack of their listings rather than nested calls, so a folder tree of any depth streams without
    reaching Python's recursion limit."""
    listings = [iter([(source, frozenset())])]
    while listings:
        entry = next(listings[-1], None)
        if entry is None:
            listings.pop()
            continue
        path, ancestors = entry  # ancestors: (device, inode) of the folders above, to see symlink loops
        try:
            info = os.stat(path)
        except OSError as exc:
            yield Skip(path, None, os_reason(exc, "file"))
            continue
        if stat.S_ISREG(info.st_mode):
            yield path, info.st_size
            continue
        if not stat.S_ISDIR(info.st_mode):
            yield Skip(path, None, "not a regular file")
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in ancestors:
            yield Skip(path, None, "symlink loop (a folder that contains itself)")
            continue
        try:
            names = sorted(name for name in os.listdir(path) if not name.startswith("."))
        except OSError as exc:
            yield Skip(path, None, os_reason(exc, "folder"))
            continue
        inside = ancestors | {identity}
        children = [name if path == os.curdir else os.path.join(path, name) for name in names]
        listings.append(iter([(child, inside) for child in children]))



def read_whole(path: str, max_bytes: int) -> bytes | Skip:
    """A whole file's bytes (decompressed if ``.gz``), or a ``Skip`` saying why not: too large, unreadable."""
    try:
        with open_binary(path) as stream:
            raw = stream.read(max_bytes + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return Skip(path, None, f"broken gzip data: {exc}")
    except OSError as exc:
        return Skip(path, None, os_reason(exc, "file"))
    if len(raw) > max_bytes:
        return Skip(path, None, f"file larger than {size_text(max_bytes)}")
    return raw


def head(path: str, size: int = 4096) -> bytes:
    """The first bytes of a file (decompressed if ``.gz``) for sniffing; empty when it cannot be read."""
    try:
        with open_binary(path) as stream:
            return stream.read(size)
    except (OSError, EOFError, zlib.error):
        return b""


def skip_at(where: str, reason: str) -> Skip:
    """A ``Skip`` of "file:n" (the n-th line, entry or record of a file) or of a whole file."""
    file, _, number = where.rpartition(":")
    return Skip(file, int(number), reason) if number.isdigit() and file else Skip(where, None, reason)


def read_document(path: str, max_bytes: int, what: str) -> bytes | Skip:
    """``read_whole`` of a file that must be text: a binary file is a ``Skip`` saying it is not ``what``."""
    raw = read_whole(path, max_bytes)
    if not isinstance(raw, Skip) and is_binary(raw):
        return Skip(path, None, f"binary file, not {what}")
    return raw

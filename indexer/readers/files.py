"""Reading files safely: bounded reads, decoding, plain reasons for OS errors, and walking folders."""

from __future__ import annotations

import errno
import gzip
import os
import stat
import zlib
from collections.abc import Iterator

from ..article import Skip

_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f")


def is_binary(raw: bytes) -> bool:
    """NUL bytes, or mostly control characters, in the first 8 KB."""
    head = raw[:8192]
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > len(head) * 0.3


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding that read it: UTF-8 (BOM stripped), else cp1252, else latin-1 (never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1"), "latin-1"


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

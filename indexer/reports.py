"""What the ``dateline index`` commands report: plain JSON-ready dicts for ``--json``, and lines of text."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from .article import Skip
from .rebuild import RebuildReport, describe_skip

if TYPE_CHECKING:  # the check module loads jsonschema, which the other commands do without
    from .check import CheckReport


def skip_json(skip: Skip) -> dict:
    return {"path": skip.path, "line": skip.line, "reason": skip.reason}


def _decodings(pairs: list[tuple[str, str]]) -> list[dict]:
    return [{"path": path, "encoding": encoding} for path, encoding in pairs]


def rebuild_json(report: RebuildReport) -> dict:
    return {
        "alias": report.alias,
        "index": report.index,
        "previous": report.previous,
        "sources": report.sources,
        "articles": report.parsed,
        "indexed": report.indexed,
        "duplicates": report.parsed - report.indexed,
        "undated": report.undated,
        "skipped": [skip_json(s) for s in report.skipped],
        "fallback_decodings": _decodings(report.fallback_decodings),
        "notes": [{"path": path, "note": note} for path, note in report.notes],
        "withheld": report.withheld,
        "replayed": report.replayed,
        "deleted": report.deleted,
        "warnings": report.warnings,
        "seconds": round(report.seconds, 3),
    }


def check_json(report: CheckReport) -> dict:
    return {
        "sources": report.sources,
        "articles": report.articles,
        "documents": len(report.ids),
        "duplicates": report.duplicates,
        "skipped": [skip_json(s) for s in report.skipped],
        "fallback_decodings": _decodings(report.fallback_decodings),
        "published": {"earliest": report.earliest, "latest": report.latest, "rules": dict(report.date_rules)},
        "languages": dict(report.languages.most_common()),
        "agencies": dict(report.agencies.most_common()),
        "schema": {"invalid_records": report.invalid_records,
                   "errors": [asdict(e) for e in report.schema_errors]},
        "seconds": round(report.seconds, 3),
    }


def reading_text(fallback_decodings: list[tuple[str, str]], skipped: list[Skip]) -> list[str]:
    """What reading the sources met: files decoded with a fallback encoding, and every skip with its reason."""
    lines = [f"  decoded with {encoding} (not UTF-8): {path}" for path, encoding in fallback_decodings]
    if skipped:
        lines.append(f"Skipped {len(skipped)}:")
        lines += [f"  {describe_skip(skip)}" for skip in skipped]
    return lines


def _counts(counter) -> str:
    shown = counter.most_common(8)
    rest = len(counter) - len(shown)
    return ", ".join(f"{name} {n}" for name, n in shown) + (f" and {rest} more" if rest > 0 else "")


def check_text(report: CheckReport) -> list[str]:
    lines = [f"Read {report.articles} articles from {', '.join(report.sources)} in {report.seconds:.1f}s: "
             f"a rebuild would index {len(report.ids)} ({report.duplicates} duplicates merged)."]
    if report.articles:
        rules = ", ".join(f"{rule} {n}" for rule, n in report.date_rules.most_common())
        lines += [f"published  {report.earliest} to {report.latest} (dated by: {rules})",
                  f"languages  {_counts(report.languages)}",
                  f"agencies   {_counts(report.agencies)}"]
    lines += reading_text(report.fallback_decodings, report.skipped)
    if report.invalid_records:
        listed = len(report.schema_errors)
        lines.append(f"{report.invalid_records} JSON Lines records depart from the schema"
                     + (f" (the first {listed} problems):" if report.invalid_records > listed else ":"))
        lines += [f"  {e.path}:{e.line}: {e.field or '(record)'}: {e.message}" for e in report.schema_errors]
    return lines


def add_json(report) -> dict:
    """The report of ``dateline index add`` (``update.AddReport``)."""
    return {
        "alias": report.alias,
        "index": report.index,
        "sources": report.sources,
        "articles": report.parsed,
        "added": report.added,
        "replaced": report.replaced,
        "unchanged": report.unchanged,
        "duplicates": [{"id": doc_id, "same_text_as": first} for doc_id, first in report.duplicates],
        "withheld": report.withheld,
        "skipped": [skip_json(s) for s in report.skipped],
        "fallback_decodings": _decodings(report.fallback_decodings),
        "seconds": round(report.seconds, 3),
    }

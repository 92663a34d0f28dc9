"""The ``dateline`` command: ``dateline index ...`` for operators, ``dateline serve`` for the search service.

Exit codes, for scripts: 0 done; 1 the operation failed and the alias is as it was (the message says why);
2 bad usage; 3 Elasticsearch could not be reached or refused the request. With ``--json`` every ``dateline index``
command prints one JSON object on stdout, a failure included (``{"error": ..., "exit_code": ...}``).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import sys
import time

import click
from elasticsearch import exceptions as es_exc

from . import config, logs, schema
from .client import connect, describe_failure
from .indexer.backup import DEFAULT_REPOSITORY
from .indexer.rebuild import MIN_RATIO

EXIT_FAILED = 1
EXIT_UNAVAILABLE = 3

log = logging.getLogger(__name__)

json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print one JSON object on stdout instead of text (a failure too).")


def _emit_json(value: dict) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _fail(message: str, code: int, as_json: bool) -> None:
    click.echo(f"Error: {message}", err=True)
    if as_json:
        _emit_json({"error": message, "exit_code": code})
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
@click.option("-v", "--verbose", is_flag=True, help="Log in detail, Elasticsearch requests included (LOG_LEVEL=DEBUG).")
@click.option("-q", "--quiet", is_flag=True, help="Log only warnings and errors, no progress (LOG_LEVEL=WARNING).")
@click.pass_context
def main(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """dateline: full-text search for a news archive.

    Configuration comes from the environment: ES_URL (default http://127.0.0.1:9200, comma-separated for
    several nodes), ES_USERNAME/ES_PASSWORD or ES_API_KEY, ES_CA_CERTS, ES_TIMEOUT, DATELINE_ALIAS (default
    "articles"), DATELINE_HOST/DATELINE_PORT (where `dateline serve` listens), DATELINE_EMBED (0: no
    sentence vectors in rebuilds and add), LOG_LEVEL (DEBUG, INFO, WARNING,
    ERROR; default INFO) and LOG_FORMAT (text or json; logs go to stderr).
    """
    try:
        settings = config.from_env()
    except config.ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if verbose or quiet:
        settings = dataclasses.replace(settings, log_level="DEBUG" if verbose else "WARNING")
    logs.configure(settings.log_level, settings.log_format)
    ctx.obj = settings


@main.command()
@click.option("--host", help="Interface to listen on [default: DATELINE_HOST or 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), help="Port [default: DATELINE_PORT or 8000].")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes of the production server.")
@click.option("--debug", is_flag=True, help="Run Flask's development server with reloading instead.")
@click.pass_obj
def serve(settings: config.Settings, host: str | None, port: int | None, workers: int, debug: bool) -> None:
    """Serve the search page and its JSON API.

    Runs granian (a production HTTP server) with WORKERS processes of four threads each. The service keeps
    answering while Elasticsearch is down (with 503 pages) and recovers by itself when it returns.
    """
    from dateline.service.app import create_app
    from dateline.service.server import run

    host = host or settings.host
    port = port or settings.port
    if debug:
        create_app(settings).run(host=host, port=port, debug=True)
    else:
        run(settings, host=host, port=port, workers=workers)


@main.group()
def index() -> None:
    """Build and inspect the article index behind the alias.

    \b
    Typical use:
      dateline index check --source seeds/     # what a rebuild would read and skip (no Elasticsearch)
      dateline index rebuild --source seeds/   # parse, load a new index, swap the alias
      dateline index add --source new/         # add or correct articles in the served index
      dateline index watch --source inbox/     # follow a folder as it grows
      dateline index delete ID                 # take an article down (410 Gone)
      dateline index embed                     # sentence vectors for hybrid ranking
      dateline index status                    # what the alias serves
      dateline index rollback                  # serve the previous version again
      dateline index analyze "Qızılbulaq"      # the tokens a field's analyzer makes
      dateline index snapshot                  # back up what the alias serves
      dateline index restore                   # serve the newest snapshot again

    Every command takes --json (one JSON object on stdout, a failure too). Exit codes: 0 done; 1 failed, the
    alias as it was; 2 bad usage; 3 Elasticsearch could not be reached.
    """


def _talks_to_elasticsearch(command):
    """Turn Elasticsearch and rebuild failures into one plain line on stderr and a documented exit code."""
    from dateline.indexer.rebuild import RebuildError

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        as_json = kwargs.get("as_json", False)
        try:
            return command(*args, **kwargs)
        except RebuildError as exc:
            _fail(str(exc), EXIT_FAILED, as_json)
        except es_exc.ElasticsearchException as exc:
            unreachable = isinstance(exc, (es_exc.ConnectionError, es_exc.AuthenticationException))
            _fail(describe_failure(exc), EXIT_UNAVAILABLE if unreachable else EXIT_FAILED, as_json)

    return wrapper


def _format_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from dateline.indexer.readers import BY_NAME

    if value is not None and value not in BY_NAME:
        raise click.BadParameter(f"{value!r} is not one of: {', '.join(BY_NAME)}")
    return value


def _csv_columns(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    from dateline.indexer.readers.csvfile import FIELDS

    columns = {}
    for value in values:
        name, _, column = value.partition("=")
        if name.strip() not in FIELDS or not column.strip():
            raise click.BadParameter(f"{value!r}: give FIELD=COLUMN, FIELD one of {', '.join(FIELDS)}")
        columns[name.strip()] = column.strip()
    return columns


_include_deleted = click.option("--include-deleted", is_flag=True,
                                help="Bring back articles taken down with `dateline index delete`.")
_progress_option = click.option(
    "--progress/--no-progress", default=None,
    help="Progress bar [default: a bar when stderr is a terminal, else a log line every 10 s].")
_workers_option = click.option(
    "--workers", type=click.IntRange(1, 256), default=None,
    help="Processes that parse and enrich articles; the output is the same for any number "
         "[default: DATELINE_WORKERS, else the processors this machine allows].")


def _workers(flag: int | None, settings: config.Settings) -> int:
    from dateline.indexer.workers import default_workers

    return flag or settings.workers or default_workers()


def _reading_options(command):
    """--source, --format and --csv-column: what to read and how, the same for rebuild and check."""
    options = [
        click.option("--source", "sources", multiple=True, default=["seeds/"], show_default=True,
                     type=click.Path(exists=True, path_type=str),
                     help="A folder (read recursively) or file of articles: .txt, .jsonl, .html, .rss, .atom, "
                          ".nitf, .newsml, .sgm, .csv, .tsv, .warc, any of them .gz; .xml and files without a "
                          "suffix by their content. Repeatable."),
        click.option("--format", "format_name", metavar="NAME", callback=_format_name,
                     help="Read files whose name does not tell their format as NAME: text, jsonl, html, feed, "
                          "nitf, newsml, reuters, csv or warc."),
        click.option("--csv-column", "csv_columns", multiple=True, metavar="FIELD=COLUMN", callback=_csv_columns,
                     help="Read FIELD (published, headline, body, ...) of CSV files from COLUMN. Repeatable."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@index.command()
@_reading_options
@click.option("--keep", type=click.IntRange(0, 100), default=2, show_default=True,
              help="Older complete versions to keep for rollback.")
@click.option("--synonyms", type=click.Path(exists=True, dir_okay=False), default=str(schema.DEFAULT_SYNONYMS),
              show_default="the file shipped in core/analysis", help="Spelling-variant file to inline.")
@click.option("--strict", is_flag=True, help="Fail (and keep the alias as it is) if any file or line is skipped.")
@click.option("--min-ratio", type=click.FloatRange(0, 1), default=MIN_RATIO, show_default=True,
              help="Refuse a new index with fewer than this share of the live index's articles.")
@click.option("--allow-shrink", is_flag=True,
              help="Serve the new index however few articles it holds (never an empty one, though).")
@click.option("--allow-incomplete-export", is_flag=True,
              help="Index the articles of an export that lacks its completion record (cut short or failed).")
@_include_deleted
@_workers_option
@_progress_option
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def rebuild(settings: config.Settings, sources, format_name, csv_columns, keep, synonyms, strict, min_ratio,
            allow_shrink, allow_incomplete_export, include_deleted, workers, progress, as_json) -> None:
    """Build a new index from SOURCE and move the alias to it, with no downtime.

    \b
    1. create <alias>-<UTC timestamp> from the index contract (synonyms inlined)
    2. stream every article into it (progress: count, rate, ETA)
    3. verify the document count, then move the alias in one atomic call
    4. keep --keep older versions, delete the rest and anything a killed rebuild left

    Unreadable or malformed files are skipped and listed at the end, with their reason; everything else is
    indexed. On any failure the new index is deleted and the alias keeps serving the old one.

    The shrink guard: a new index with no articles never replaces a non-empty one, nor one with fewer than
    --min-ratio of the live articles unless --allow-shrink. A refused index is kept aside (not served) until
    the next rebuild, and the command exits 1 with both counts and the top skip reasons. An export of
    /api/export that does not end with its completion record is refused unless --allow-incomplete-export.
    """
    from dateline.indexer.progress import progress as progress_of
    from dateline.indexer.readers import ReadOptions, estimate_articles
    from dateline.indexer.rebuild import rebuild as run_rebuild
    from dateline.indexer.reports import reading_text, rebuild_json

    client = connect(settings)
    options = ReadOptions(format=format_name, csv_columns=csv_columns)
    with progress_of(estimate_articles(sources, options), "articles", _progress_mode(progress, settings)) as shown:
        report = run_rebuild(client, settings.alias, list(sources), keep=keep, synonyms=synonyms, strict=strict,
                             min_ratio=min_ratio, allow_shrink=allow_shrink,
                             allow_incomplete_export=allow_incomplete_export, include_deleted=include_deleted,
                             on_article=shown.update, options=options, encoder=_encoder(settings),
                             workers=_workers(workers, settings))
    for warning in report.warnings:
        log.warning(warning)
    if as_json:
        _emit_json(rebuild_json(report))
        return
    duplicates = report.parsed - report.indexed - (0 if include_deleted else len(report.withheld))
    click.echo(f"Indexed {report.indexed} articles into {report.index} in {report.seconds:.1f}s "
               f"({duplicates} duplicates merged); alias {report.alias!r} now serves it"
               + (f" instead of {report.previous}." if report.previous else "."))
    if report.undated:
        click.echo(f"  of which {report.undated} undated (no date could be read; indexed without one)")
    if report.withheld:
        click.echo(f"{'Brought back' if include_deleted else 'Left out'} {len(report.withheld)} taken-down "
                   f"articles{'' if include_deleted else ' (--include-deleted brings them back)'}.")
    if report.replayed:
        click.echo(f"Carried over {report.replayed} articles added or deleted while it ran.")
    for line in reading_text(report.fallback_decodings, report.skipped):
        click.echo(line)
    if report.notes:
        click.echo(f"Check {len(report.notes)} (indexed all the same):")
        for path, note in report.notes:
            click.echo(f"  {path}: {note}")
    if report.deleted:
        click.echo(f"Deleted old versions: {', '.join(report.deleted)}")


def _encoder(settings: config.Settings):
    """The sentence encoder for new articles: with the ``semantic`` extra, unless DATELINE_EMBED=0."""
    if not settings.embed:  # then a lexical rebuild never imports numpy and the model's runtime (~10 MB)
        return None
    from dateline.indexer.enrich.vectors import encoder_for

    return encoder_for(settings.embed)


def _progress_mode(flag: bool | None, settings: config.Settings) -> str:
    """--progress: a bar; --no-progress or --quiet: none; by default a bar on a terminal, log lines elsewhere."""
    if flag is not None:
        return "bar" if flag else "off"
    if logging.getLevelName(settings.log_level) > logging.INFO:
        return "off"
    return "bar" if sys.stderr.isatty() else "lines"


@index.command()
@_reading_options
@click.option("--strict", is_flag=True,
              help="Exit 1 if a rebuild would skip anything or a JSON Lines record departs from the schema.")
@json_option
def check(sources, format_name, csv_columns, strict, as_json) -> None:
    """Read SOURCE exactly as `rebuild` would and report it, without Elasticsearch.

    Counts (articles read, distinct documents a rebuild would index, duplicates), the range of dates and the
    rule that gave each, languages, agencies, every file or line a rebuild would skip with its reason, and
    each JSON Lines record that departs from the published schema (docs/input.md). Exit 0 when the sources
    could be read; 1 with --strict when anything was skipped or a record departs from the schema.
    """
    from dateline.indexer.check import CheckError
    from dateline.indexer.check import check as run_check
    from dateline.indexer.readers import ReadOptions
    from dateline.indexer.reports import check_json, check_text

    try:
        report = run_check(sources, ReadOptions(format=format_name, csv_columns=csv_columns))
    except CheckError as exc:
        _fail(str(exc), EXIT_FAILED, as_json)
    if as_json:
        _emit_json(check_json(report))
    else:
        click.echo("\n".join(check_text(report)))
    if strict and (report.skipped or report.invalid_records):
        sys.exit(EXIT_FAILED)


@index.command()
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def status(settings: config.Settings, as_json: bool) -> None:
    """What the alias serves: index, document count, size, health, when and from what it was built."""
    from dateline.indexer.rebuild import status as read_status

    info = read_status(connect(settings), settings.alias)
    if as_json:
        click.echo(json.dumps(info, indent=2))
    elif info["index"] is None:
        click.echo(f"No alias {settings.alias!r} yet: run `dateline index rebuild`.")
    else:
        click.echo(f"alias     {info['alias']} -> {info['index']}\n"
                   f"documents {info['documents']}\n"
                   f"size      {info['size_bytes'] / 2**20:.1f} MiB\n"
                   f"health    {info['health']}\n"
                   f"built     {info['built_at']} from {', '.join(info['sources'])}"
                   f" ({info['skipped']} skipped)")
        for version in info["versions"]:
            mark = "*" if version["live"] else "x" if version["refused"] else " " if version["complete"] else "!"
            click.echo(f"  {mark} {version['index']}  {version['articles']} articles, built {version['built_at']}"
                       + (f" (refused: {version['refused']})" if version["refused"] else ""))
    if info["index"] is None:
        sys.exit(EXIT_FAILED)


@index.command()
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def rollback(settings: config.Settings, as_json: bool) -> None:
    """Point the alias back at the previous kept version (undo the last rebuild)."""
    from dateline.indexer.rebuild import rollback as run_rollback

    started = time.monotonic()
    was, now = run_rollback(connect(settings), settings.alias)
    if as_json:
        _emit_json({"alias": settings.alias, "index": now, "previous": was,
                    "seconds": round(time.monotonic() - started, 3)})
    else:
        click.echo(f"alias {settings.alias!r} now serves {now} (was {was})")


def _repository_options(command):
    command = click.option("--location", help="Where a repository not yet registered is created: a folder under "
                           "the nodes' path.repo [default: the repository's name, inside path.repo].")(command)
    return click.option("--repository", default=DEFAULT_REPOSITORY, show_default=True,
                        help="The Elasticsearch snapshot repository.")(command)


@index.command()
@_repository_options
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def snapshot(settings: config.Settings, repository: str, location: str | None, as_json: bool) -> None:
    """Back up the live archive: a snapshot of the index the alias serves, and of its takedowns.

    The snapshot is named <alias>-<UTC timestamp>; the command returns once it is written. The repository
    is registered as a filesystem repository on first use, which needs path.repo on every node (see
    docs/operations.md).
    """
    from dateline.indexer.backup import snapshot as take

    taken = take(connect(settings), settings.alias, repository, location or repository)
    if as_json:
        _emit_json({"alias": settings.alias, "repository": repository, **dataclasses.asdict(taken)})
        return
    click.echo(f"Snapshot {taken.name} in {repository!r}: {taken.index} ({taken.articles} articles)"
               + (f" and {taken.indices[1]}" if len(taken.indices) > 1 else ""))


@index.command()
@click.argument("name", required=False)
@click.option("--list", "listing", is_flag=True, help="List the alias's snapshots instead, oldest first.")
@_repository_options
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def restore(settings: config.Settings, name: str | None, listing: bool, repository: str,
            location: str | None, as_json: bool) -> None:
    """Serve snapshot NAME again (default: the newest of the alias), with no downtime.

    The snapshot's index comes back as a new version, is checked against the article count recorded in
    the snapshot, leaves out articles taken down since, and the alias moves to it in one atomic call;
    `dateline index rollback` returns to what was served before. The takedowns are restored only when the
    cluster has none (an existing takedowns index is newer than any snapshot).
    """
    from dateline.indexer.backup import restore as run_restore
    from dateline.indexer.backup import snapshots

    client = connect(settings)
    if listing:
        found = snapshots(client, settings.alias, repository)
        if as_json:
            _emit_json({"alias": settings.alias, "repository": repository,
                        "snapshots": [dataclasses.asdict(each) for each in found]})
            return
        for each in found:
            click.echo(f"{each.name}  {each.index}  {each.articles} articles  taken {each.started}")
        return
    report = run_restore(client, settings.alias, repository, location or repository, name)
    if as_json:
        _emit_json({"alias": settings.alias, "repository": repository, **dataclasses.asdict(report)})
        return
    click.echo(f"Restored {report.snapshot.name} as {report.index} ({report.snapshot.articles} articles"
               + (f", {len(report.withheld)} taken down since left out" if report.withheld else "")
               + f"); alias {settings.alias!r} now serves it"
               + (f" instead of {report.previous}." if report.previous else "."))
    if report.takedowns_restored:
        click.echo("Restored the takedowns index too (the cluster had none).")


@index.command()
@click.argument("text")
@click.option("--field", default=schema.BODY, show_default=True,
              help="Field whose analyzer to apply, e.g. headline, phrases, headline.autocomplete.")
@click.option("--at", "stage", type=click.Choice(["search", "index"]), default="search", show_default=True,
              help="The analyzer used when searching (with synonyms) or when indexing.")
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def analyze(settings: config.Settings, text: str, field: str, stage: str, as_json: bool) -> None:
    """Show the tokens the alias's analyzer for FIELD makes of TEXT, for tuning synonyms.

    \b
    Example: dateline index analyze "Xankəndi" --field body
      xankəndi  xankendi  khankendi  stepanakert ...   (one column per position)
    """
    try:
        mapping = schema.field_mapping(field)
    except KeyError:
        raise click.BadParameter(f"no field {field!r} in the index contract", param_hint="--field") from None
    analyzer = mapping.get("search_analyzer") if stage == "search" else None
    request = {"text": text, **({"analyzer": analyzer or mapping["analyzer"]} if "analyzer" in mapping
                                else {"field": field})}
    tokens = connect(settings).indices.analyze(index=settings.alias, body=request)["tokens"]
    if as_json:
        _emit_json({"alias": settings.alias, "field": field, "at": stage, "text": text, "tokens": tokens})
        return
    positions: dict[int, list[str]] = {}
    for token in tokens:
        positions.setdefault(token["position"], []).append(token["token"])
    for position, words in sorted(positions.items()):
        click.echo(f"{position}\t{'  '.join(words)}")


@index.command()
@_progress_option
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def embed(settings: config.Settings, progress, as_json) -> None:
    """Give the articles of the index the alias serves their sentence vectors (hybrid ranking).

    For an index built without them (without the semantic extra, or with DATELINE_EMBED=0): embeds every
    article that has none, then records the model in the index, so searches rank by meaning and words. An
    index whose vectors come from another model is embedded again in full. Needs the semantic extra
    (pip install 'dateline[semantic]'). Searches keep working meanwhile.
    """
    from dateline import embedding
    from dateline.indexer.embed import embed as run_embed
    from dateline.indexer.progress import progress as progress_of
    from dateline.indexer.rebuild import RebuildError, live_index

    if not embedding.available():
        _fail("the embedding model is not installed: pip install 'dateline[semantic]'", EXIT_FAILED, as_json)
    client = connect(settings)
    index_name = live_index(client, settings.alias)
    if index_name is None:
        raise RebuildError(f"there is no alias {settings.alias!r} to embed: run `dateline index rebuild` first")
    started = time.monotonic()
    encoder = embedding.shared_encoder()
    total = client.count(index=index_name)["count"]
    with progress_of(total, "articles", _progress_mode(progress, settings)) as shown:
        done = run_embed(client, index_name, encoder, on_articles=shown.update)
    seconds = time.monotonic() - started
    if as_json:
        _emit_json({"alias": settings.alias, "index": index_name, "embedded": done, "model": encoder.info.to_meta(),
                    "seconds": round(seconds, 1)})
        return
    click.echo(f"Embedded {done} articles of {index_name} with {encoder.info} in {seconds:.1f}s.")


@index.command()
@click.option("--source", "sources", multiple=True, required=True, type=click.Path(exists=True, path_type=str),
              help="A folder (read recursively) or file of articles, as for rebuild. Repeatable.")
@click.option("--format", "format_name", metavar="NAME", callback=_format_name,
              help="Read files whose name does not tell their format as NAME, as for rebuild.")
@click.option("--csv-column", "csv_columns", multiple=True, metavar="FIELD=COLUMN", callback=_csv_columns,
              help="Read FIELD of CSV files from COLUMN, as for rebuild. Repeatable.")
@_include_deleted
@_workers_option
@_progress_option
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def add(settings: config.Settings, sources, format_name, csv_columns, include_deleted, workers, progress,
        as_json) -> None:
    """Add or correct articles in the index the alias serves, without a rebuild.

    An article keeps its id (the id its source gives, else its URL, else its path relative to --source), so
    adding a corrected file replaces its document and marks it revised. The same text under another id is
    reported as a duplicate and not added; articles taken down stay down unless --include-deleted. New articles
    join the stories already in the index. Everything added is searchable when the command returns.
    """
    from dateline.indexer.progress import progress as progress_of
    from dateline.indexer.readers import ReadOptions, estimate_articles
    from dateline.indexer.reports import add_json, reading_text
    from dateline.indexer.update import add as run_add

    options = ReadOptions(format=format_name, csv_columns=csv_columns)
    with progress_of(estimate_articles(sources, options), "articles", _progress_mode(progress, settings)) as shown:
        report = run_add(connect(settings), settings.alias, list(sources), include_deleted=include_deleted,
                         on_article=shown.update, options=options, encoder=_encoder(settings),
                         workers=_workers(workers, settings))
    if as_json:
        _emit_json(add_json(report))
        return
    click.echo(f"Added {len(report.added)} and replaced {len(report.replaced)} articles in {report.index} in "
               f"{report.seconds:.1f}s ({report.unchanged} unchanged, {len(report.duplicates)} duplicates).")
    for doc_id, first in report.duplicates:
        click.echo(f"  duplicate: {doc_id} has the text of {first}")
    for doc_id in report.withheld:
        click.echo(f"  taken down, not added: {doc_id} (--include-deleted brings it back)")
    for line in reading_text(report.fallback_decodings, report.skipped):
        click.echo(line)


@index.command()
@click.argument("ids", nargs=-1)
@click.option("--source", "sources", multiple=True, type=click.Path(exists=True, path_type=str),
              help="Take down the articles of these files (the ids they would get). Repeatable.")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=str),
              help="The folder the files were added from, whose paths their ids are [default: each --source].")
@json_option
@click.pass_obj
@_talks_to_elasticsearch
def delete(settings: config.Settings, ids, sources, root, as_json) -> None:
    """Take articles down: remove them from the index and record the takedown.

    Their article pages then answer 410 Gone, and rebuilds leave them out unless --include-deleted. An id the
    index does not hold is reported (and still recorded, so it cannot be added later).

    \b
    Examples:
      dateline index delete reuters-17 reuters-18
      dateline index delete --source inbox/2024-05-01/retracted.txt --root inbox/
    """
    from dateline.indexer.update import ids_of, remove

    wanted = list(dict.fromkeys([*ids, *ids_of(sources, root)]))
    if not wanted:
        raise click.UsageError("name at least one ID or --source")
    removed = remove(connect(settings), settings.alias, wanted, takedown=True)
    if as_json:
        _emit_json({"alias": settings.alias, "taken_down": [i for i, found in removed.items() if found],
                    "not_in_index": [i for i, found in removed.items() if not found]})
        return
    for doc_id, found in removed.items():
        click.echo(f"{'taken down' if found else 'not in the index (takedown recorded)'}: {doc_id}")


@index.command()
@click.option("--source", "folder", required=True, type=click.Path(exists=True, file_okay=False, path_type=str),
              help="The folder to follow (read recursively).")
@click.option("--interval", type=click.FloatRange(0.1, 86400), default=10.0, show_default=True,
              help="Seconds between two looks at the folder.")
@click.option("--state", type=click.Path(dir_okay=False, path_type=str),
              help="Checkpoint file of what was seen [default: .dateline-watch-<alias>.json in the folder].")
@click.option("--allow-mass-delete", is_flag=True,
              help="Remove the articles of vanished files even when many vanish at once.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object a line per change ({time, event, file, articles, ...}) instead of text.")
@click.pass_obj
@_talks_to_elasticsearch
def watch(settings: config.Settings, folder, interval, state, allow_mass_delete, as_json) -> None:
    """Follow a folder: add new files, replace changed ones, remove the articles of removed ones.

    One log line per change (with --json, one JSON object per line: watching, added, replaced, removed,
    skipped, refused, stopped). A restart picks up from the checkpoint file, so nothing is added twice.
    Stops cleanly (after the round in progress) on Ctrl-C or SIGTERM; exits 3 when Elasticsearch is down.
    """
    import signal
    import threading
    from datetime import UTC, datetime
    from pathlib import Path

    from dateline.indexer.watch import default_state
    from dateline.indexer.watch import watch as run_watch

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    def log(message: str, /, **event) -> None:
        now = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"
        click.echo(json.dumps({"time": now, **event, "message": message}) if as_json else f"{now} {message}")

    run_watch(connect(settings), settings.alias, folder, Path(state) if state else default_state(folder,
              settings.alias), interval, stop, allow_mass_delete=allow_mass_delete, log=log,
              encoder=_encoder(settings))

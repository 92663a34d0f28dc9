"""The ``dateline`` command: ``dateline index ...`` for operators, ``dateline serve`` for the search service."""

from __future__ import annotations

import click

from . import config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
@click.pass_context
def main(ctx: click.Context) -> None:
    """dateline: full-text search for a news archive.

    Configuration comes from the environment: ES_URL (default http://127.0.0.1:9200, comma-separated for
    several nodes), ES_USERNAME/ES_PASSWORD or ES_API_KEY, ES_CA_CERTS, ES_TIMEOUT, DATELINE_ALIAS (default
    "articles"), DATELINE_HOST/DATELINE_PORT (where `dateline serve` listens).
    """
    try:
        ctx.obj = config.from_env()
    except config.ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@main.command()
@click.option("--host", help="Interface to listen on [default: DATELINE_HOST or 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), help="Port [default: DATELINE_PORT or 8000].")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes of the production server.")
@click.option("--debug", is_flag=True, help="Run Flask's development server with reloading instead.")
@click.pass_obj
def serve(settings: config.Settings, host: str | None, port: int | None, workers: int, debug: bool) -> None:
    """Serve the search page and its JSON API.

    Runs gunicorn (a production WSGI server) with WORKERS processes of four threads each. The service keeps
    answering while Elasticsearch is down (with 503 pages) and recovers by itself when it returns.
    """
    from service.app import create_app
    from service.server import run

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
      dateline index rebuild --source seeds/   # parse, load a new index, swap the alias
      dateline index status                    # what the alias serves
      dateline index rollback                  # serve the previous version again
      dateline index analyze "Qızılbulaq"      # the tokens a field's analyzer makes
    """

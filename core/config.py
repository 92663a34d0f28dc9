"""Configuration from the environment: the one place that reads it.

Variables and defaults:

- ``ES_URL`` (``http://127.0.0.1:9200``): one URL, or several separated by commas for a multi-node cluster.
- ``ES_USERNAME`` / ``ES_PASSWORD`` or ``ES_API_KEY``: credentials, when the cluster has security on.
- ``ES_CA_CERTS``: path to the CA bundle that signed the cluster's certificates (https URLs).
- ``ES_TIMEOUT`` (``10``): seconds before a request to Elasticsearch gives up.
- ``DATELINE_ALIAS`` (``articles``): the alias that searches and analysts read.
- ``DATELINE_HOST`` / ``DATELINE_PORT`` (``127.0.0.1`` / ``8000``): where ``dateline serve`` listens.
- ``DATELINE_WORKERS`` (the processors this process may use): processes that parse and enrich articles in
  ``dateline index rebuild`` and ``add``; ``--workers`` overrides it.
- ``LOG_LEVEL`` (``INFO``): ``DEBUG``, ``INFO``, ``WARNING`` or ``ERROR``, for the indexer and the service.
- ``LOG_FORMAT`` (``text``): ``json`` writes one JSON object a log line, for log collectors.
- ``DATELINE_EMBED`` (``1``): ``0`` leaves sentence vectors out of rebuilds and ``add`` even with the
  ``semantic`` extra installed (searches then rank by words only).
- ``DATELINE_CACHE_DIR`` (``$XDG_CACHE_HOME/dateline``, else ``~/.cache/dateline``): where the indexer keeps
  what it can rebuild but would rather not at every start (the gazetteer); ``off`` keeps nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")


class ConfigError(ValueError):
    """An environment variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    es_urls: tuple[str, ...] = ("http://127.0.0.1:9200",)
    es_username: str | None = None
    es_password: str | None = None
    es_api_key: str | None = None
    es_ca_certs: str | None = None
    es_timeout: float = 10.0
    alias: str = "articles"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int | None = None  # None: as many as the machine allows
    log_level: str = "INFO"
    log_format: str = "text"
    embed: bool = True


def _number(environ: Mapping[str, str], name: str, default, kind):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be positive")
    return value


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    value = raw.upper() if choices == LOG_LEVELS else raw.lower()
    if value not in choices:
        raise ConfigError(f"{name}={raw!r} is not one of {', '.join(choices)}")
    return value


def from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the settings from ``environ``; empty variables count as unset."""
    urls = tuple(u.strip() for u in environ.get("ES_URL", "").split(",") if u.strip())
    username = environ.get("ES_USERNAME") or None
    password = environ.get("ES_PASSWORD") or None
    if bool(username) != bool(password):
        raise ConfigError("ES_USERNAME and ES_PASSWORD go together: set both or neither")
    alias = environ.get("DATELINE_ALIAS", "").strip() or Settings.alias
    if alias != alias.lower() or any(c in alias for c in ' "*\\<|,>/?#:'):
        raise ConfigError(f"DATELINE_ALIAS={alias!r} is not a valid index alias (lowercase, no spaces or ,*?/)")
    return Settings(
        es_urls=urls or Settings.es_urls,
        es_username=username,
        es_password=password,
        es_api_key=environ.get("ES_API_KEY") or None,
        es_ca_certs=environ.get("ES_CA_CERTS") or None,
        es_timeout=_number(environ, "ES_TIMEOUT", Settings.es_timeout, float),
        alias=alias,
        host=environ.get("DATELINE_HOST", "").strip() or Settings.host,
        port=_number(environ, "DATELINE_PORT", Settings.port, int),
        workers=_number(environ, "DATELINE_WORKERS", Settings.workers, int),
        log_level=_choice(environ, "LOG_LEVEL", LOG_LEVELS, Settings.log_level),
        log_format=_choice(environ, "LOG_FORMAT", LOG_FORMATS, Settings.log_format),
        embed=_choice(environ, "DATELINE_EMBED", ("1", "0"), "1") == "1",
    )


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The indexer's cache folder, or None when ``DATELINE_CACHE_DIR=off``."""
    raw = environ.get("DATELINE_CACHE_DIR", "").strip()
    if raw.lower() == "off":
        return None
    if raw:
        return Path(raw)
    return Path(environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache") / "dateline"

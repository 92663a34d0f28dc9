"""The Flask application factory: one Elasticsearch client per app, error handling, security headers.

Errors never show a stack trace. A bad parameter is a 400 naming it, an unknown article a 404 (a taken-down
one 410 Gone), and an Elasticsearch that is down, too slow or without the index a 503 with a plain message.
The client is created once and reconnects by itself, so the service answers again as soon as Elasticsearch
does.
"""

from __future__ import annotations

import functools
import logging
from datetime import date

import orjson
from elasticsearch import exceptions as es_exc
from flask import Flask, has_request_context, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from dateline import config
from dateline.client import UNAVAILABLE, connect, describe_failure

from . import fragments
from .export import new_slots
from .nearest import Matrices
from .params import DEFAULT_SIZE, MAX_RESULT_WINDOW, ParamError
from .ranking import IndexModels
from .requestlog import TimedTransport, log_requests
from .routes import answers_json, bp

log = logging.getLogger(__name__)

# No inline script or style anywhere: scripts, styles and images come from this site only, and scripts may
# only ask this site (autocomplete).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON answers built by orjson, several times faster for a results page; what orjson does not
    write itself (dates, dataclasses, ``__html__``) goes to Flask's own ``default``, so the data is the same.
    Text is written as UTF-8 rather than ``\\u`` escapes."""

    def dumps(self, obj, **kwargs) -> str:
        option = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
        if kwargs.get("indent"):
            option |= orjson.OPT_INDENT_2
        if kwargs.get("sort_keys", self.sort_keys):
            option |= orjson.OPT_SORT_KEYS
        return orjson.dumps(obj, default=self.default, option=option).decode()


TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 410: "Gone",
          500: "Something went wrong", 503: "Search is unavailable"}


def create_app(settings: config.Settings | None = None, client=None) -> Flask:
    """The search service for ``settings`` (default: from the environment), talking to ``client`` if given."""
    settings = settings or config.from_env()
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    app.config["DATELINE_ALIAS"] = settings.alias
    app.extensions["dateline.es"] = client if client is not None else connect(settings,
                                                                              transport_class=TimedTransport)
    app.extensions["dateline.export_slots"] = new_slots()
    app.extensions["dateline.index_models"] = IndexModels()
    app.extensions["dateline.vector_matrices"] = Matrices()
    app.json.sort_keys = False  # keep the documented order of the JSON answers
    app.register_blueprint(bp)
    app.jinja_env.globals.update(default_size=DEFAULT_SIZE, max_result_window=MAX_RESULT_WINDOW)
    app.jinja_env.filters["long_date"] = _long_date
    app.jinja_env.filters["number"] = "{:,}".format
    app.jinja_env.filters.update(facet_rows=fragments.facet_rows, histogram_bars=fragments.histogram_bars)
    app.jinja_env.globals["url_for"] = _fixed_url_for(app)
    _register_error_handlers(app)
    log_requests(app)

    @app.after_request
    def _security_headers(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def _fixed_url_for(app: Flask):
    """The templates' ``url_for``: their links go to fixed routes and static files, the same on every page
    (for each path the service is mounted at), so each is built once."""

    @functools.lru_cache(maxsize=256)
    def cached(script_root: str, endpoint: str, values: tuple) -> str:
        return app.url_for(endpoint, **dict(values))

    def url_for(endpoint: str, **values) -> str:
        if values.get("_external") or not has_request_context():  # absolute: each request's host and scheme
            return app.url_for(endpoint, **values)
        return cached(request.script_root, endpoint, tuple(sorted(values.items())))

    return url_for


def _long_date(value: str | None) -> str:
    """``2022-12-13`` → ``13 December 2022``."""
    if not value:
        return ""
    day = date.fromisoformat(value[:10])
    return f"{day.day} {day:%B %Y}"


def _error(status: int, message: str, **extra):
    if answers_json():
        return jsonify({"error": {"status": status, "message": message, **extra}}), status
    title = TITLES.get(status, "Error")
    return render_template("error.html", status=status, title=title, message=message), status


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ParamError)
    def _bad_parameter(exc: ParamError):
        return _error(400, f"The parameter {exc.param!r} is invalid: {exc.message}.", parameter=exc.param)

    @app.errorhandler(es_exc.TransportError)
    def _elasticsearch_failed(exc: es_exc.TransportError):
        # Connection failures and timeouts are TransportErrors too; everything that means "cannot search now"
        # (down, too slow, overloaded, no index behind the alias) is a 503 and passes when the cause does.
        if isinstance(exc, es_exc.NotFoundError):
            reason = f"no article index is behind the alias {app.config['DATELINE_ALIAS']!r} yet"
        else:
            reason = describe_failure(exc)
        status = exc.status_code if isinstance(exc.status_code, int) else 0
        if isinstance(exc, UNAVAILABLE) or status in (404, 429) or status >= 500:
            log.warning("search unavailable: %s", reason)
            return _error(503, f"The archive cannot be searched right now ({reason}). Please try again soon.")
        log.error("Elasticsearch refused a request: %s", reason)
        return _error(500, "The search failed. The problem has been logged.")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        body, status = _error(exc.code or 500, exc.description or exc.name)
        # Headers the status calls for (Retry-After of a 429, Allow of a 405), not the exception's own body type.
        return body, status, [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        return _error(500, "Something went wrong on our side. The problem has been logged.")

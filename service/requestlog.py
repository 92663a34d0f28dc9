"""One log line per request: method, path, status, the time it took and the part of it spent waiting for
Elasticsearch, so a slow page can be told from a slow cluster.

The Elasticsearch time is measured by the client's transport (``TimedTransport``) and added up per request in
``flask.g``; every search, count or lookup a request makes counts, retries included.
"""

from __future__ import annotations

import logging
import time

from elasticsearch import Transport
from flask import Flask, g, has_app_context, request

log = logging.getLogger("dateline.service.requests")


class TimedTransport(Transport):
    def perform_request(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().perform_request(*args, **kwargs)
        finally:
            if has_app_context() and "request_started" in g:
                g.es_seconds = g.get("es_seconds", 0.0) + time.perf_counter() - started


def log_requests(app: Flask) -> None:
    """Log every request of ``app`` at INFO once its response is ready."""

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        if "request_started" not in g:  # a response made before the request began (routing error)
            return response
        ms = (time.perf_counter() - g.request_started) * 1000
        es_ms = g.get("es_seconds", 0.0) * 1000
        query = request.query_string.decode("latin-1")
        log.info("%s %s%s %d %.1fms (Elasticsearch %.1fms)", request.method, request.path,
                 f"?{query}" if query else "", response.status_code, ms, es_ms,
                 extra={"method": request.method, "path": request.path, "query": query,
                        "status": response.status_code, "ms": round(ms, 1), "es_ms": round(es_ms, 1)})
        return response

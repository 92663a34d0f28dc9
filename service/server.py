"""``dateline serve`` in production: granian (an HTTP server written in Rust) running the Flask app, no config
file needed.

HTTP is parsed and answered outside Python, so on cores shared with Elasticsearch the service's share of a
search is little more than its own work (bench/README.md, "latency").
"""

from __future__ import annotations

import logging

from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings

from dateline.config import Settings

from .app import create_app

THREADS = 4  # threads of each worker process that run the app (more answered a loaded node more slowly)
# Request line and headers together: a longer head is refused with 431 before the app sees it.
MAX_HEAD_BYTES = 16 * 1024
SHUTDOWN_SECONDS = 10  # a worker still busy this long after a stop is killed

# The server's own lines go through dateline's log handler (``dateline.logs``), in its format and level; its
# access log stays off: the app logs each request with its Elasticsearch time (requestlog.py).
_LOGGING = {"loggers": {"_granian": {"handlers": [], "propagate": True},
                        "granian.access": {"handlers": [], "propagate": True}}}


def run(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until interrupted: ``workers`` processes of ``THREADS`` threads, each app with its own client."""
    server = Granian(
        "dateline.service.app:create_app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,
        websockets=False,
        workers=workers,
        blocking_threads=THREADS,
        http1_settings=HTTP1Settings(max_buffer_size=MAX_HEAD_BYTES),
        log_level=settings.log_level.lower(),
        log_dictconfig=_LOGGING,
        log_access=False,
        workers_kill_timeout=SHUTDOWN_SECONDS,
        respawn_failed_workers=True,
    )
    # Workers are forked: each builds its app from these settings (the command line's, not only the
    # environment's) and keeps the log handler configured before the fork.
    server.serve(target_loader=lambda _target: create_app(settings))
    logging.shutdown()

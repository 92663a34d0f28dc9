"""``dateline serve`` in production: gunicorn running the Flask app in-process, no config file needed."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from dateline.config import Settings

from .app import create_app


class _Server(BaseApplication):
    def __init__(self, settings: Settings, options: dict):
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app(self._settings)


def run(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until interrupted: ``workers`` processes of four threads, each app with its own client."""
    _Server(
        settings,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 60,
            "graceful_timeout": 10,
            "accesslog": None,  # the app logs each request, with its Elasticsearch time (requestlog.py)
            "errorlog": "-",
            "loglevel": settings.log_level.lower(),
        },
    ).run()

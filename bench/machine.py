"""The machine and software a benchmark ran on, recorded next to its figures."""

from __future__ import annotations

import os
import platform
import socket
from datetime import UTC, datetime
from importlib import metadata

import psutil
from elasticsearch import Elasticsearch

LIBRARIES = ("dateline", "elasticsearch", "urllib3", "flask", "werkzeug", "granian", "psutil", "matplotlib")


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            models = (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
            return next(models, None)
    except OSError:
        return None


def port_free(port: int) -> bool:
    """Whether nothing listens on ``port`` of 127.0.0.1 (for a node of a benchmark's or a test's own)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def describe(client: Elasticsearch) -> dict:
    """Cores, memory, load when the run began, OS, Python, Elasticsearch (version and heap) and libraries."""
    node = client.info()
    heap = None
    try:
        stats = client.nodes.stats(metric="jvm")["nodes"]
        heap = round(sum(n["jvm"]["mem"]["heap_max_in_bytes"] for n in stats.values()) / 2**30, 2)
    except Exception:  # a restricted user may not read node stats; the rest is still worth recording
        pass
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "elasticsearch": node["version"]["number"],
        "elasticsearch_nodes": client.cluster.health()["number_of_nodes"],
        "elasticsearch_heap_gib": heap,
        "libraries": versions,
    }

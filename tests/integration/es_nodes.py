"""Extra Elasticsearch nodes for fault tests: started, stopped and killed with ``.ci/es-node``.

They run beside the shared node (never instead of it), each in its own JVM with its data in a folder of the
test's, so a test can stop or kill one for real. The runner accepts no HTTP port above 9299 and 9200 is the
shared node's, so ports are picked among the free ones from 9299 down.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.machine import port_free

ES_NODE = Path(__file__).resolve().parents[2] / ".ci" / "es-node"
START_SECONDS = 180


def free_ports(count: int) -> list[int]:
    """``count`` HTTP ports whose transport port (100 above) is free too."""
    ports = [port for port in range(9299, 9260, -1) if port_free(port) and port_free(port + 100)][:count]
    if len(ports) < count:
        pytest.fail(f"no {count} free ports between 9261 and 9299 for extra Elasticsearch nodes")
    return ports


# Each index carries the place-spelling synonym graphs; at 512 MB, searches under load met the parent circuit
# breaker (real usage 489 of 486 MB allowed). The product's own node runs with 1 GB.
NODE_HEAP = "1g"


class Node:
    """One node in its own JVM; ``seeds`` (transport addresses of all nodes) makes it join a cluster."""

    def __init__(self, folder: Path, port: int, cluster: str, seeds: str | None = None):
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "ES_PORT": str(port), "ES_TRANSPORT_PORT": str(port + 100),
                    "ES_NODE_DIR": str(folder), "ES_CLUSTER": cluster, "ES_HEAP": NODE_HEAP,
                    "ES_START_TIMEOUT": str(START_SECONDS)}
        if seeds:
            self.env["ES_SEED_HOSTS"] = seeds

    def launch(self) -> subprocess.Popen:
        """``es-node start`` in the background (it returns once the node, or its cluster, is yellow)."""
        return subprocess.Popen([str(ES_NODE), "start"], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def start(self) -> None:
        _wait([self.launch()])

    def stop(self) -> None:
        """A clean shutdown (SIGTERM, as an operator's stop does); the data stays for the next start."""
        subprocess.run([str(ES_NODE), "stop"], env=self.env, capture_output=True, timeout=60)

    def kill(self) -> None:
        os.kill(int((self.folder / "node.pid").read_text()), signal.SIGKILL)


def _wait(starts: list[subprocess.Popen]) -> None:
    outputs = [start.communicate(timeout=START_SECONDS + 60)[0] for start in starts]
    if any(start.returncode for start in starts):
        pytest.fail("extra Elasticsearch nodes did not start:\n" + "\n".join(outputs))


@contextmanager
def running(folder: Path, count: int, cluster: str) -> Iterator[list[Node]]:
    """``count`` fresh nodes (a cluster of them when more than one), stopped and deleted afterwards."""
    ports = free_ports(count)
    seeds = ",".join(f"127.0.0.1:{port + 100}" for port in ports) if count > 1 else None
    nodes = [Node(folder / str(port), port, cluster, seeds) for port in ports]
    starts = [node.launch() for node in nodes]  # together: each waits for the others to form the cluster
    try:
        _wait(starts)
        yield nodes
    finally:
        for start in starts:
            if start.poll() is None:
                start.kill()
        for node in nodes:
            node.stop()
        shutil.rmtree(folder, ignore_errors=True)

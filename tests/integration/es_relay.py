"""An HTTP pass-through before Elasticsearch that records every request and lets a test act on each one.

Tests point a client or a command at ``Relay.url`` instead of the node: what Elasticsearch does is real, and
the test sees which requests were made (method, path, headers) and may drop one, before or after the node
has acted on it.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Relay(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        target = urlsplit(upstream)
        self.upstream = (target.hostname, target.port or 9200)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, lowercase headers)

    def before(self, method: str, path: str) -> bool:
        """Whether to forward the request; otherwise the connection closes without an answer."""
        return True

    def after(self, method: str, path: str) -> bool:
        """Whether to pass on the answer Elasticsearch gave; otherwise the connection closes without it."""
        return True

    def __enter__(self) -> Relay:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def relay(self) -> None:
        relay: Relay = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        relay.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
        if not relay.before(self.command, self.path):
            self.close_connection = True
            return
        upstream = http.client.HTTPConnection(*relay.upstream, timeout=300)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        if not relay.after(self.command, self.path):
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", response.getheader("Content-Length") or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = relay

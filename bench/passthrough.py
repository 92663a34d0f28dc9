"""The thinnest Flask service in front of Elasticsearch, the floor of the latency benchmark.

Every request goes to the node as it came, through dateline's own client (``dateline.client.connect``: its
connection, orjson serializer and error handling), and the decoded answer goes back encoded again. No
parameters, no query of its own, no view: what Flask, the client and the server cost before the service does
any work of its own. ``bench.latency`` runs it under the same server and layout as ``dateline serve``.
"""

from __future__ import annotations

import orjson
from flask import Flask, Response, request

from dateline import config
from dateline.client import connect

app = Flask(__name__)
_client = connect(config.from_env())
_JSON = {"Content-Type": "application/json"}


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def forward(path: str) -> Response:
    body = request.get_data()
    answer = _client.transport.perform_request(request.method, f"/{path}", params=request.args.to_dict(),
                                               body=orjson.loads(body) if body else None, headers=_JSON)
    return Response(orjson.dumps(answer), mimetype="application/json")

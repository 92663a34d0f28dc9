"""The JSON API's contract: the OpenAPI description served at ``/api/openapi.json`` and as a page for people.

``openapi.json`` is maintained by hand beside the routes; tests validate real answers against it
(tests/integration/test_api_contract.py), so a change of an answer that the description does not follow fails.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

OPENAPI_PATH = Path(__file__).with_name("openapi.json")


@cache
def openapi() -> dict:
    return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))


def resolve(node: dict) -> dict:
    """A ``{"$ref": "#/components/..."}`` of the description replaced by what it points at."""
    target = node.get("$ref")
    if not target:
        return node
    found = openapi()
    for part in target.removeprefix("#/").split("/"):
        found = found[part]
    return found

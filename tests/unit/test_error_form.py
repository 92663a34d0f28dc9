"""One rule for the form of an error: JSON for the routes that answer programs and for any URL under /api/,
an HTML page for the others."""

import pytest

from dateline.config import Settings
from dateline.service.app import create_app


@pytest.fixture(scope="module")
def client():
    return create_app(Settings()).test_client()  # every request here fails before reaching Elasticsearch


@pytest.mark.parametrize(("method", "url", "status", "form"), [
    ("get", "/api/search?page=0", 400, "application/json"),
    ("get", "/api/export?size=x", 400, "application/json"),
    ("get", "/api/no-such-route", 404, "application/json"),
    ("get", "/api/facets/%2F0", 404, "application/json"),  # a slash in a facet name: unknown, not a redirect
    ("get", "/feeds/search.json?sort=x", 400, "application/json"),
    ("post", "/healthz", 405, "application/json"),
    ("post", "/api/suggest", 405, "application/json"),
    ("get", "/search?page=0", 400, "text/html"),
    ("get", "/feeds/search.atom?sort=x", 400, "text/html"),
    ("get", "/no-such-page", 404, "text/html"),
    ("post", "/search", 405, "text/html"),
])
def test_programs_get_json_errors_and_people_pages(client, method, url, status, form):
    response = getattr(client, method)(url)
    assert (response.status_code, response.mimetype) == (status, form)
    if form == "application/json":
        assert response.json["error"]["status"] == status

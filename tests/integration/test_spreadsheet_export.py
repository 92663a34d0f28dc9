"""`/api/export?format=csv` against a real node: the rows a spreadsheet opens, no cell that runs as a formula,
and the row count in a header, so an export that ended early is detectable."""

from __future__ import annotations

import csv
import io
import json

from dateline.client import connect
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app

HOSTILE = ['=HYPERLINK("http://evil.example","Click")', "+1 more for the lot", "-2 degrees in Ganja",
           "@SUM(A1:A9) said the report", "Plain headline, with a comma and \"quotes\""]


def _archive(tmp_path) -> str:
    lines = [json.dumps({"id": f"sheet-{n}", "headline": headline, "published": f"2023-02-0{n + 1}",
                         "source": "=Trend" if n == 0 else "Trend", "url": f"https://example.org/{n}",
                         "dateline": {"city": "Baku", "country": "Azerbaijan"},
                         "entities": {"people": ["Ilham Aliyev", "-Nobody"], "organizations": [], "places": []},
                         "body": f"BAKU, Feb {n + 1} (Trend) - Story number {n} about the Lachin road."})
             for n, headline in enumerate(HOSTILE)]
    path = tmp_path / "sheet.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_the_csv_opens_with_the_right_rows_and_no_formula_cells(test_settings, tmp_path):
    rebuild(connect(test_settings), test_settings.alias, [_archive(tmp_path)])
    response = create_app(test_settings).test_client().get("/api/export?format=csv&sort=newest")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "export.csv" in response.headers["Content-Disposition"]
    assert response.headers["Dateline-Export-Rows"] == str(len(HOSTILE))

    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == len(HOSTILE)
    assert list(rows[0]) == ["headline", "published", "source", "dateline", "url", "id", "people",
                             "organizations", "places"]
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    by_id = {row["id"]: row for row in rows}
    assert by_id["sheet-0"]["headline"] == "'" + HOSTILE[0] and by_id["sheet-0"]["source"] == "'=Trend"
    assert by_id["sheet-4"]["headline"] == HOSTILE[4]  # commas and quotes survive the quoting
    assert by_id["sheet-1"] == {**by_id["sheet-1"], "published": "2023-02-02", "dateline": "Baku, Azerbaijan",
                                "url": "https://example.org/1", "people": "Ilham Aliyev; -Nobody"}


def test_a_csv_of_a_search_holds_its_matches_only(test_settings, tmp_path):
    rebuild(connect(test_settings), test_settings.alias, [_archive(tmp_path)])
    client = create_app(test_settings).test_client()
    found = client.get("/api/export?format=csv&q=Ganja")
    assert found.headers["Dateline-Export-Rows"] == "1"
    assert [row["id"] for row in csv.DictReader(io.StringIO(found.get_data().decode("utf-8-sig")))] == ["sheet-2"]
    nothing = client.get("/api/export?format=csv&q=qqqzzzx")
    assert nothing.headers["Dateline-Export-Rows"] == "0"
    assert nothing.get_data().decode("utf-8-sig").splitlines() == [",".join(
        ["headline", "published", "source", "dateline", "url", "id", "people", "organizations", "places"])]
    assert client.get("/api/export?format=xlsx").status_code == 400

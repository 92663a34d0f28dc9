"""The gazetteer's cache: a cached gazetteer finds exactly what a built one finds, and an edit is read again."""

from pathlib import Path

from dateline.indexer.enrich.gazetteer import TOKEN, load_gazetteer

FILE = "country | Azerbaijan | Azərbaycan\ncity | Baku | Bakı | Azerbaijan\n"


def _cache(folder: Path) -> list[Path]:
    return sorted(folder.glob("gazetteer-*.marshal"))


def test_a_cached_gazetteer_is_the_one_built(tmp_path, monkeypatch):
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path))
    built = load_gazetteer()
    assert len(_cache(tmp_path)) == 1
    cached = load_gazetteer()
    assert cached.state() == built.state()
    tokens = TOKEN.findall("Talks in New York and БАКУ, then Bakı and Rio de Janeiro")
    assert [cached.match(tokens, i) for i in cached.starts(tokens)] == [built.match(tokens, i)
                                                                       for i in built.starts(tokens)]
    assert cached.lookup("Бакы") == built.lookup("Бакы") and cached.lookup("Бакы").name == "Baku"
    assert cached.large_cities == built.large_cities and "Baku" in cached.large_cities


def test_an_edited_file_is_read_again_and_a_broken_cache_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "gazetteer.txt"
    path.write_text(FILE, encoding="utf-8")
    assert load_gazetteer(path, geography=False).lookup("Tbilisi") is None
    path.write_text(FILE + "city | Tbilisi | | Azerbaijan\n", encoding="utf-8")
    assert load_gazetteer(path, geography=False).lookup("Tbilisi").name == "Tbilisi"
    newest = max(_cache(tmp_path / "cache"), key=lambda p: p.stat().st_mtime)
    newest.write_bytes(b"not a cache")
    assert load_gazetteer(path, geography=False).lookup("TBILISI").name == "Tbilisi"


def test_without_a_usable_cache_folder_the_gazetteer_is_built(tmp_path, monkeypatch):
    path = tmp_path / "gazetteer.txt"
    path.write_text(FILE, encoding="utf-8")
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    for setting in ("off", str(blocked / "cache")):
        monkeypatch.setenv("DATELINE_CACHE_DIR", setting)
        assert load_gazetteer(path, geography=False).lookup("BAKI").name == "Baku"
    assert sorted(tmp_path.iterdir()) == sorted([path, blocked])  # nothing written

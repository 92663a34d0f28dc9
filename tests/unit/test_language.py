"""Language detection: the unpacked, memory-mapped py3langid model answers exactly as the packaged one."""

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from dateline.indexer import language

TEXTS = ["Москва заявила во вторник о новых санкциях.", "Bakı, 3 may - Azərbaycan nefti bahalaşıb.",
         "Der Ölpreis stieg am Dienstag.", "Oil prices rose on Tuesday.", "Le gouvernement a démissionné.",
         "東京株式市場は続伸した。", "OPEC", "Ціни на пшеницю зросли", "ΑΘΗΝΑ - Η κυβέρνηση"]


@pytest.fixture
def unpacked(tmp_path, monkeypatch):
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path))
    language._langid.cache_clear()
    yield tmp_path
    language._langid.cache_clear()


def test_the_unpacked_model_answers_as_the_packaged_one(unpacked):
    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    first = [language._langid().classify(text) for text in TEXTS]  # unpacks
    assert [path.name.split("-")[0] for path in unpacked.iterdir()] == ["langid"]
    language._langid.cache_clear()
    again = [language._langid().classify(text) for text in TEXTS]  # maps the unpacked files
    assert first == again == [packaged.classify(text) for text in TEXTS]
    assert language.detect(TEXTS[0]) == "ru" and language.detect(TEXTS[-1]) == "el"


def test_without_a_cache_folder_the_packaged_model_is_read(unpacked, monkeypatch):
    monkeypatch.setenv("DATELINE_CACHE_DIR", "off")
    assert language._langid().classify(TEXTS[3])[0] == "en"
    assert list(unpacked.iterdir()) == []

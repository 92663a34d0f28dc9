"""Entities beyond 1987: current names in the news, places in other scripts, and the operator's gazetteer
winning over the geographic data."""

import pytest

from dateline.indexer.enrich.document import to_document
from dateline.indexer.enrich.entities import extract_entities
from dateline.indexer.enrich.gazetteer import load_gazetteer
from dateline.indexer.readers.jsonl import parse_record


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


# Sentences written from current news, in English and with transliterated names, and the name → kind each
# must yield. Some names are in the gazetteer, others only the rules find ("Chancellor Friedrich Merz").
CURRENT_NEWS = [
    ("German Chancellor Friedrich Merz met French President Emmanuel Macron in Berlin on Tuesday.",
     {"Friedrich Merz": "people", "Emmanuel Macron": "people"}),
    ("Former chancellor Angela Merkel said the talks would be difficult.", {"Angela Merkel": "people"}),
    ("Apple chief executive Tim Cook said the company would invest in India.",
     {"Apple": "organizations", "Tim Cook": "people"}),
    ("Goldman Sachs and Morgan Stanley raised their forecasts after Microsoft reported earnings.",
     {"Goldman Sachs": "organizations", "Morgan Stanley": "organizations", "Microsoft": "organizations"}),
    ("Prime Minister Keir Starmer spoke with Ukrainian President Volodymyr Zelensky by phone.",
     {"Keir Starmer": "people", "Volodymyr Zelenskyy": "people"}),
    ("Indian Prime Minister Narendra Modi and Chinese President Xi Jinping met at the summit.",
     {"Narendra Modi": "people", "Xi Jinping": "people"}),
    ("Nvidia shares rose after chief executive Jensen Huang unveiled new chips; Tesla fell.",
     {"Nvidia": "organizations", "Jensen Huang": "people", "Tesla": "organizations"}),
    ("The European Central Bank kept rates unchanged, President Christine Lagarde said.",
     {"European Central Bank": "organizations", "Christine Lagarde": "people"}),
    ("Russian Foreign Minister Sergei Lavrov met Saudi Crown Prince Mohammed bin Salman in Riyadh.",
     {"Sergey Lavrov": "people", "Mohammed bin Salman": "people"}),
    ("NASA and the World Health Organization signed an agreement, according to Amazon founder Jeff Bezos.",
     {"NASA": "organizations", "World Health Organization": "organizations", "Jeff Bezos": "people"}),
    ("Brazilian President Luiz Inacio Lula da Silva met Italian Prime Minister Giorgia Meloni.",
     {"Luiz Inacio Lula da Silva": "people", "Giorgia Meloni": "people"}),
    ("Microsoft chief executive Satya Nadella and Alphabet chief executive Sundar Pichai testified.",
     {"Microsoft": "organizations", "Satya Nadella": "people", "Alphabet": "organizations",
      "Sundar Pichai": "people"}),
    ("Elon Musk, the chief executive of Tesla, said SpaceX would launch in March.",
     {"Elon Musk": "people", "Tesla": "organizations", "SpaceX": "organizations"}),
    ("Japanese Prime Minister Shigeru Ishiba and Canadian Prime Minister Mark Carney attended.",
     {"Shigeru Ishiba": "people", "Mark Carney": "people"}),
    ("Samsung Electronics and Toyota Motor Corp said on Monday they would cooperate.",
     {"Samsung Electronics": "organizations", "Toyota Motor Corp": "organizations"}),
    ("Turkish President Recep Tayyip Erdoğan and Azerbaijani President Ilham Aliyev met in Ankara.",
     {"Recep Tayyip Erdogan": "people", "Ilham Aliyev": "people"}),
    ("The International Monetary Fund and the World Bank warned on growth, NATO Secretary General Mark Rutte "
     "said.", {"International Monetary Fund": "organizations", "World Bank": "organizations",
               "NATO": "organizations", "Mark Rutte": "people"}),
    ("US President Donald Trump spoke to reporters at the White House.",
     {"Donald Trump": "people", "White House": "organizations"}),
    ("Spanish Prime Minister Pedro Sánchez met Polish Prime Minister Donald Tusk in Brussels.",
     {"Pedro Sanchez": "people", "Donald Tusk": "people"}),
    ("Europol said UNICEF and OpenAI had been targeted, Interior Minister Matteo Piantedosi said.",
     {"Europol": "organizations", "UNICEF": "organizations", "OpenAI": "organizations",
      "Matteo Piantedosi": "people"}),
]


def test_current_news_names_are_found_with_the_right_kind(gazetteer):
    expected = found = 0
    wrong_kind = []
    for text, names in CURRENT_NEWS:
        kinds = {name: kind for kind, values in extract_entities(text, gazetteer).items() for name in values}
        expected += len(names)
        found += sum(kinds.get(name) == kind for name, kind in names.items())
        wrong_kind += [(name, kinds[name]) for name, kind in names.items() if name in kinds and kinds[name] != kind]
        # No name of the sentence is taken for a person or organisation it is not.
        wrong_kind += [(name, kind) for name, kind in kinds.items()
                       if kind != "places" and name not in names]
    assert wrong_kind == []
    assert found / expected >= 0.9


def test_places_in_other_scripts_take_the_canonical_english_name(gazetteer):
    found = extract_entities("Делегация прибыла в Бакы. Москва и Тбилиси. Bakou, Moskau, Azərbaycan.", gazetteer)
    assert found["places"] == ["Baku", "Moscow", "Tbilisi", "Azerbaijan"]
    for form in ("Бакы", "Baki", "Baku", "BAKI", "Азербайджан"):
        assert gazetteer.lookup(form).name in ("Baku", "Azerbaijan")


def test_places_of_the_story_bring_their_country_and_passing_mentions_do_not(gazetteer):
    body = ("Workers at the plant in Lyon went on strike on Monday.\n\n"
            "The union, which also has an office in Paris, said talks would resume.\n\n"
            "Deliveries from Japan were delayed, and those from Japan's ports stopped, it said.")
    record = {"body": body, "published": "2024-05-01"}
    places = to_document(parse_record(record, "d.jsonl:1"), gazetteer, "s")["entities"]["places"]
    assert places == ["Lyon", "Japan", "France"]  # Paris, named once after the lede, is not a place of the story


def test_the_operators_gazetteer_wins_over_the_geographic_data(tmp_path):
    path = tmp_path / "gazetteer.txt"
    path.write_text("country | Holland | Nederland\ncity | Bakı | Baku | Azərbaycan\n"
                    "country | Azərbaycan | Azerbaijan\norg | Reading | Reading Plc\n")
    gazetteer = load_gazetteer(path)
    # The operator's canonical names, and every spelling the data knows joins them.
    assert gazetteer.lookup("Netherlands").name == "Holland"
    assert gazetteer.lookup("Бакы").name == "Bakı"
    assert gazetteer.lookup("Бакы").country == "Azərbaycan"
    found = extract_entities("Reading and Nederland; Баку and Azerbaijan.", gazetteer)
    assert found == {"organizations": ["Reading"], "places": ["Holland", "Bakı", "Azərbaycan"], "people": []}
    # Without geographic data only the operator's names are known.
    assert load_gazetteer(path, geography=False).lookup("Moscow") is None


def test_everyday_words_and_shared_city_names_are_not_places(gazetteer):
    found = extract_entities("Reading the report, Mobile operators said the Split was Nice.", gazetteer)
    assert found["places"] == []

"""The label mapping of the entity benchmark (bench/entities.py): product facet values → Reuters-21578 codes."""

import pytest

from bench import entities
from dateline.indexer.enrich.gazetteer import load_gazetteer

pytestmark = pytest.mark.skipif(not entities.FOLDER.is_dir(), reason="needs shared/data/reuters21578")


@pytest.fixture(scope="module")
def labels():
    return entities.LabelMap(load_gazetteer())


@pytest.mark.parametrize("place, code", [
    ("United States", "usa"), ("U.S.", "usa"), ("Washington", "usa"), ("California", "usa"),
    ("United Kingdom", "uk"), ("London", "uk"), ("Soviet Union", "ussr"), ("Russia", "ussr"), ("Baku", "ussr"),
    ("West Germany", "west-germany"), ("Germany", "west-germany"), ("Frankfurt", "west-germany"),
    ("New Zealand", "new-zealand"), ("Ivory Coast", "ivory-coast"), ("Hong Kong", "hong-kong"),
    ("United Arab Emirates", "uae"), ("Cambodia", "kampuchea"), ("Zagreb", "yugoslavia"),
    ("Trinidad and Tobago", "trinidad-tobago"), ("Москва", "ussr"), ("Caspian Sea", None), ("Europe", None),
])
def test_places_map_to_the_code_of_their_country(labels, place, code):
    assert labels.country(place) == code


@pytest.mark.parametrize("person, code", [
    ("James Baker", "james-baker"), ("James A. Baker", "james-baker"), ("Howard Baker", "howard-baker"),
    ("Paul Volcker", "volcker"), ("Karl Otto Poehl", "poehl"), ("Miguel de la Madrid", "de-la-madrid"),
    ("Zhao Ziyang", "zhao-ziyang"), ("François Mitterrand", "mitterrand"), ("Chris Baker", None),
    ("Marlin Fitzwater", None),
])
def test_people_map_to_the_longest_labelled_tail_of_their_name(labels, person, code):
    assert labels.person(person) == code


@pytest.mark.parametrize("organisation, code", [
    ("European Community", "ec"), ("EEC", "ec"), ("International Monetary Fund", "imf"), ("IMF", "imf"),
    ("World Bank", "worldbank"), ("OPEC", "opec"), ("Organisation of Petroleum Exporting Countries", "opec"),
    ("United Nations", "un"), ("U.N.", "un"), ("General Agreement on Tariffs and Trade", "gatt"),
    ("Federal Reserve", None), ("Reuters", None),
])
def test_organisations_map_by_their_names(labels, organisation, code):
    assert labels.organization(organisation) == code


def test_every_code_of_the_vocabularies_has_a_name(labels):
    assert set(entities.ORG_LABELS) == labels.vocabulary["organizations"]
    countries = {labels.country(name) for name in [*entities.COUNTRY_LABELS.values(), *entities.COUNTRY_MERGES]}
    assert set(entities.COUNTRY_LABELS) <= countries


def test_scores_are_micro_averaged():
    score = entities.Score()
    score.add({"usa", "uk"}, {"usa"})
    score.add(set(), {"japan"})
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)
    assert score.precision == score.recall == score.f1 == 0.5


def test_articles_come_from_the_split_without_the_places_their_source_gives():
    item = next(entities.reuters("TEST", limit=1))
    assert item.article.id.startswith("reuters-") and item.article.body
    assert set(item.labels) == set(entities.KINDS) and item.labels["places"]
    # The SGML reader keeps <PLACES> as the article's places: they are the answer, so the benchmark drops them.
    assert item.article.places == ()

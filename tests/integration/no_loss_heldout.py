"""Held-out articles for the no-loss reading rules: written before the rules, scored only at the end.

Each case: (relative path, raw bytes, expected). ``expected`` names the fields the indexer must derive:
published (None for undated), published_rule, city, country, language, source.
"""

from __future__ import annotations


def _text(path: str, text: str, encoding: str = "utf-8", **expected) -> tuple[str, bytes, dict]:
    return path, text.encode(encoding), expected


HELD_OUT = [
    _text("heldout/ru/spb.txt",
          "САНКТ-ПЕТЕРБУРГ, 12 марта 2022 (Интерфакс) - Губернатор города объявил о новых мерах поддержки "
          "малого бизнеса. Меры вступят в силу с апреля, сообщили в администрации.\n\n"
          "По словам чиновников, программа охватит тысячи предприятий.",
          "cp1251", published="2022-03-12", published_rule="dateline", city="Saint Petersburg",
          country="Russia", language="ru", source="Интерфакс"),
    _text("heldout/ru/2021/moscow-koi8.txt",
          "МОСКВА, 3 ноября (ТАСС) - Центральный банк России сохранил ключевую ставку на прежнем уровне, "
          "говорится в сообщении регулятора.\n\nАналитики ожидали такого решения.",
          "koi8-r", published="2021-11-03", published_rule="dateline-year-from-path", city="Moscow",
          country="Russia", language="ru", source="ТАСС"),
    _text("heldout/fr/lyon.txt",
          "LYON, 14 juillet 2021 (AFP) - Des milliers de personnes ont assisté au défilé de la fête nationale "
          "dans le centre-ville, malgré la pluie.\n\nLa préfecture a salué le bon déroulement des festivités.",
          published="2021-07-14", published_rule="dateline", city="Lyon", country="France", language="fr",
          source="AFP"),
    _text("heldout/de/hamburg.txt",
          "HAMBURG, 5. Mai 2020 (dpa) - Der Hafen meldet einen deutlichen Rückgang des Containerumschlags im "
          "ersten Quartal.\n\nDie Hafenverwaltung rechnet mit einer Erholung im Herbst.",
          "cp1252", published="2020-05-05", published_rule="dateline", city="Hamburg", country="Germany",
          language="de", source="dpa"),
    _text("heldout/es/2019-10-02-sevilla.txt",
          "SEVILLA, 2 de octubre (EFE) - El ayuntamiento presentó hoy el nuevo plan de movilidad urbana, que "
          "prevé ampliar los carriles para bicicletas.\n\nLa oposición criticó el calendario del proyecto.",
          published="2019-10-02", published_rule="dateline-year-from-path", city="Sevilla", country="Spain",
          language="es", source="EFE"),
    _text("heldout/tr/izmir.txt",
          "İZMİR, 9 Eylül 2022 (AA) - Kentte düzenlenen törenlerde kurtuluşun yıl dönümü coşkuyla kutlandı.\n\n"
          "Törenlere binlerce kişi katıldı.",
          "cp1254", published="2022-09-09", published_rule="dateline", city="Izmir", country="Turkey",
          language="tr", source="AA"),
    _text("heldout/az/gence.txt",
          "GƏNCƏ, 15 aprel 2023 (APA) - Şəhərdə yeni park istifadəyə verilib. Parkın açılış mərasimində "
          "sakinlər iştirak ediblər.\n\nLayihə bir il ərzində həyata keçirilib.",
          published="2023-04-15", published_rule="dateline", city="Ganja", country="Azerbaijan", language="az",
          source="APA"),
    _text("heldout/en/undated-wire.txt",
          "NAIROBI, June 4 (Reuters) - Kenya's central bank held its benchmark lending rate steady on "
          "Tuesday, citing easing inflation pressures.\n\nThe bank said it would keep monitoring food prices.",
          published=None, published_rule="none", city="Nairobi", country="Kenya", language="en",
          source="Reuters"),
    _text("heldout/en/2018/06/04/nairobi.txt",
          "NAIROBI, June 4 (Reuters) - Kenya's shilling firmed against the dollar on Monday, traders said.\n\n"
          "Inflows from tea exporters supported the currency.",
          published="2018-06-04", published_rule="dateline-year-from-path", city="Nairobi", country="Kenya",
          language="en", source="Reuters"),
    _text("heldout/en/no-dateline.txt",
          "Shares in European banks rose sharply after regulators eased capital rules.\n\n"
          "Analysts said the move would free billions for lending.",
          published=None, published_rule="none", city=None, country=None, language="en", source=None),
    _text("heldout/ru/utf16.txt",
          "\ufeffКАЗАНЬ, 20 августа 2020 (РИА Новости) - В городе открылся новый мост через Казанку. "
          "Движение по нему запущено в штатном режиме.\n\nСтроительство заняло два года.",
          "utf-16-le", published="2020-08-20", published_rule="dateline", city="Kazan", country="Russia",
          language="ru", source="РИА Новости"),
]

# JSON Lines records (one file), each with what the indexer must make of it.
HELD_OUT_JSONL = [
    ({"id": "ho-1", "headline": "Ports reopen", "body": "Ports on the coast reopened on Friday after the storm.",
      "published": "2022-09-30T18:45:00-03:00"},
     {"published": "2022-09-30", "published_at": "2022-09-30T18:45:00-03:00", "published_rule": "given",
      "language": "en"}),
    ({"id": "ho-2", "body": "Le gouvernement a présenté son budget pour l'année prochaine devant les députés.",
      "published": "Fri, 30 Sep 2022 08:00:00 GMT"},
     {"published": "2022-09-30", "published_at": "2022-09-30T08:00:00+00:00", "published_rule": "given",
      "language": "fr"}),
    ({"id": "ho-3", "body": "Die Regierung hat am Mittwoch ein neues Klimagesetz beschlossen.",
      "published": "March 15, 2023"},
     {"published": "2023-03-15", "published_rule": "given", "language": "de"}),
    ({"id": "ho-4", "body": "Правительство утвердило новый бюджет на следующий год.",
      "published": "15 Mar 2023"},
     {"published": "2023-03-15", "published_rule": "given", "language": "ru"}),
    ({"id": "ho-5", "body": "Markets were calm on Monday as investors awaited the jobs report.",
      "published": 1700000000},
     {"published": "2023-11-14", "published_at": "2023-11-14T22:13:20+00:00", "published_rule": "given",
      "language": "en"}),
    ({"id": "ho-6", "body": "The council approved the new zoning plan after a long debate.",
      "published": "03/04/2021"},
     {"published": None, "published_rule": "none", "language": "en"}),
    ({"id": "ho-7", "body": "Hükümet yeni ekonomi paketini açıkladı ve vergi indirimleri sundu."},
     {"published": None, "published_rule": "none", "language": "tr"}),
]

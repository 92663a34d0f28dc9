"""Named entities in text: known names from the gazetteer, and careful rules for names it does not know.

Precision comes before recall: a facet value that is wrong misleads more than one that is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter

from .gazetteer import ENTITY_KEYS, KINDS, TOKEN, Gazetteer
from .names import fold_quotes

_CONNECTORS = frozenset("of for and the on with & de du des da di del der la le von van al bin ibn".split())
# Last words that make a capitalised name an organisation ("AzerGold CJSC", "Russian Youth Association").
_ORG_LAST = frozenset(
    "Inc Corp Corporation Ltd Co Company CJSC OJSC JSC LLC PLC plc AG SA NV GmbH LLP Bhd Holdings Group "
    "Industries Bancorp Brothers Bank Association Committee Commission Council Service Agency Union Fund "
    "Federation Institute University Organization Organisation Party Authority Board Exchange Ministry "
    "Department Foundation Society Bureau Office Assembly Academy Airlines Airways".split()
)
# First words of organisations named "X of/for Y" ("Ministry of Economy", "State Committee for ...").
_ORG_HEAD = frozenset(
    "Ministry Committee Commission Council Bank Agency Association Union Service Department Institute "
    "Federation Organization Organisation Fund Court Chamber Office Academy University Board Authority "
    "Bureau Party Assembly Society Foundation".split()
)
# Words right before a person's name ("Treasury Secretary James Baker", "company spokesman John Smith").
_TITLES = frozenset(
    "President Minister Premier Chancellor Chairman Chairwoman Spokesman Spokeswoman Secretary Senator Sen "
    "Governor Gov Ambassador Director Mr Mrs Ms Dr Professor Prof Judge General Gen Colonel Col Commissioner "
    "Mayor Representative Rep King Queen Prince Princess Pope Sheikh Envoy Ombudsman Deputy Economist "
    "Analyst Executive Investor Financier Leader Speaker Staff Chief Founder Co-founder CEO Chancellor"
    .split()
)
_TITLES_ANY_CASE = frozenset(title.casefold() for title in _TITLES)  # "former chancellor Angela Merkel"
# Words after a leader's name that make it the name of a government ("the Reagan administration").
_GOVERNMENT = frozenset("administration administration's government government's cabinet era".split())
# Lower-case words inside a person's name ("Gerhard de Kock", "Ludwig van Beethoven").
_PARTICLES = frozenset("de du van von der den da di del della le la bin ibn al".split())
_SAID = frozenset("said says told".split())
# Capitalised words that begin sentences rather than names.
_STARTERS = frozenset(
    "The A An This That These Those It Its He She His Her They Their We Our I In On At By For From With But "
    "And Or If When While As After Before Meanwhile However Also Yesterday Today Tomorrow According Since "
    "January February March April May June July August September October November December Jan Feb Mar Apr "
    "Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
# Capitalised words that are not part of a person's name.
_NOT_NAME = _STARTERS | _ORG_LAST | _ORG_HEAD | _TITLES | frozenset(
    "New North South East West Northern Southern Eastern Western Central National International Federal "
    "State Street Avenue Road River Sea Lake Mount Island Islands Republic Kingdom Prime Vice Chief "
    "Executive "
    "Officer Christmas Easter Ramadan God Internet Prize Stock Oil Gas Gold Trade Finance Foreign Economy "
    "Energy Defence Defense Interior Justice Health Treasury Reserve Dollar Euro".split()
)


_FIRST = itemgetter(0)


def _runs(tokens: list[str], known: list[str | None]) -> Iterator[tuple[int, int]]:
    """(start, end) token spans of capitalised words with the connectors, hyphens, possessives and initials
    between them ("Bank of America", "People's Bank", "Paul A. Volcker"). Known places may be part of a run
    ("Toronto Stock Exchange"); known organisations and people end it. Single words are left out."""
    n, i = len(tokens), 0
    for start in compress(range(n), map(str.isupper, map(_FIRST, tokens))):
        if start < i or known[start] not in (None, "places"):
            continue
        end = j = start
        while j < n and known[j] in (None, "places"):
            token = tokens[j]
            if token[0].isupper():
                j += 1
                end = j
            elif token == "and" and tokens[j + 1:j + 2] == ["the"]:
                break  # "Moody's Investors Service Inc and the Toronto Stock Exchange" are two names
            elif token in _CONNECTORS or token == "-" or token == "." and (len(tokens[j - 1]) <= 2
                                                                            or "." in tokens[j - 1]):
                j += 1  # "Mr.", "A.", "E.F."
            elif token == "'" and tokens[j + 1:j + 2] == ["s"]:
                j += 2  # "People's"
            else:
                break
        if end - start > 1:  # one word names neither an organisation nor a person
            yield start, end
        i = end


@dataclass
class _Word:
    text: str
    place: bool  # part of a known place


def _words(tokens: list[str], known: list[str | None]) -> list[_Word]:
    """Tokens of a run joined back into words: "Vice-Chairman", "People's", "A." (an initial)."""
    words: list[_Word] = []
    glue = False
    for token, kind in zip(tokens, known, strict=True):
        if words and (glue or token in ("-", "'", ".")):
            words[-1].text += token
            words[-1].place |= kind == "places"
        else:
            words.append(_Word(token, kind == "places"))
        glue = token in ("-", "'")
    return words


def _organisation(words: list[_Word]) -> str | None:
    """An organisation named by a run of capitalised words, or None. Besides its last word it has a word that
    is not a known place ("Toronto Stock Exchange", but not "Soviet Union" or "Canada Ltd")."""
    text = [w.text for w in words]
    start, end = 0, len(text)
    while start < end and text[start] in _STARTERS:
        start += 1
    while end > start and text[end - 1] in _CONNECTORS:
        end -= 1
    if end - start < 2:
        return None
    if text[end - 1] in _ORG_LAST:
        # The trailing capitalised words ("Members of the Russian Youth Association" → Russian Youth
        # Association), across "of" after a head word ("Bank of America Corp") and "and" between names.
        first = end - 1
        while first > start:
            word, before = words[first - 1], text[first - 2] if first - 2 >= start else ""
            possessive_place = word.place and "'" in word.text  # "Armenia's Foreign Ministry"
            if word.text[0].isupper() and word.text not in _STARTERS and not possessive_place:
                first -= 1
            elif word.text in ("of", "for") and before in _ORG_HEAD or word.text in ("and", "&") and \
                    before[:1].isupper():
                first -= 2
            else:
                break
    else:
        # A head word and what it is of or for ("Ministry of Economy", "State Committee for ...").
        head = next((k for k in range(start, end - 2)
                     if text[k] in _ORG_HEAD and text[k + 1] in ("of", "for")), None)
        if head is None:
            return None
        first = head
        while first > start and text[first - 1][0].isupper() and text[first - 1] not in _STARTERS \
                and not (words[first - 1].place and "'" in text[first - 1]):
            first -= 1
        # It ends before a title ("... Minister John Smith") or "and" a place ("Bank of China and Japan").
        end = next((k for k in range(head + 2, end) if text[k] in _TITLES
                    or text[k] in ("and", "&") and k + 1 < end and words[k + 1].place), end)
        while text[end - 1] in _CONNECTORS:
            end -= 1
        if end <= head + 2:
            return None
    if not any(not w.place and w.text[0].isupper() for w in words[first:end - 1]):
        return None
    return " ".join(text[first:end])


def _is_name_word(word: str) -> bool:
    """A word of a person's name: "Lavrina", "McDonald", "Jean-Pierre", an initial "A."; not "CJSC"."""
    if len(word) == 2 and word[1] == ".":
        return word[0].isupper()
    return len(word) > 1 and word[0].isupper() and word[1].islower() and word not in _NOT_NAME


def _person(words: list[str], before: list[str], after: list[str]) -> str | None:
    """A person named at the end of a run of capitalised words: two or three name words (with particles:
    "Barend du Plessis") right after a title ("Treasury Secretary James Baker", "spokesman John Smith"), after
    "said" and before a comma, or before a comma and a title ("Charles Haughey, leader of ...")."""
    name: list[str] = []
    while words and len(name) < 5 and (_is_name_word(words[-1]) or name and words[-1] in _PARTICLES
                                       and len(words) > 1 and _is_name_word(words[-2])):
        name.insert(0, words.pop())
    while name and name[0].endswith("."):  # an initial does not begin a name
        words.append(name.pop(0))
    if not 2 <= sum(1 for w in name if not w.endswith(".") and w not in _PARTICLES) <= 4:
        return None
    previous = words[-1].rstrip(".") if words else before[-1] if before else ""
    if previous.casefold() in _TITLES_ANY_CASE:
        return " ".join(name)
    if words or after[:1] != [","]:
        return None
    if previous in _SAID or before[-2:] == ["according", "to"]:
        return " ".join(name)
    title = after[2] if after[1:2] in (["the"], ["a"]) else after[1] if len(after) > 1 else ""
    return " ".join(name) if title.casefold() in _TITLES_ANY_CASE else None


def entity_mentions(text: str, gazetteer: Gazetteer) -> dict[str, dict[str, int]]:
    """Organisations, places and people named in ``text``, normalised, each with how often it is named, in
    order of first mention.

    Known names (gazetteer, longest match first) give their canonical form; the heuristics only look at
    capitalised runs that no known name covers.
    """
    return _mentions(TOKEN.findall(fold_quotes(text)), gazetteer)


def paragraph_mentions(folded_body: str, gazetteer: Gazetteer) -> list[dict[str, dict[str, int]]]:
    """``entity_mentions`` of each paragraph of a body already folded by ``fold_quotes`` (paragraphs are
    separated by blank lines; folding never joins or splits them), without folding each paragraph again."""
    return [_mentions(TOKEN.findall(paragraph), gazetteer) for paragraph in folded_body.split("\n\n")]


def _mentions(tokens: list[str], gazetteer: Gazetteer) -> dict[str, dict[str, int]]:
    known: list[str | None] = [None] * len(tokens)  # the entity key of a token inside a known name
    found: dict[str, dict[str, str]] = {key: {} for key in ENTITY_KEYS}
    counts: dict[str, dict[str, int]] = {key: {} for key in ENTITY_KEYS}

    def add(key: str, name: str) -> None:
        name = found[key].setdefault(name.casefold(), name)
        counts[key][name] = counts[key].get(name, 0) + 1

    end = 0
    for i in gazetteer.starts(tokens):
        match = gazetteer.match(tokens, i) if i >= end else None
        if match:
            end, entry = match
            known[i:end] = [KINDS[entry.kind]] * (end - i)
            if not (entry.kind == "person" and tokens[end:end + 1] and tokens[end] in _GOVERNMENT):
                add(KINDS[entry.kind], entry.name)
    for start, end in _runs(tokens, known):
        organisation = _organisation(_words(tokens[start:end], known[start:end]))
        if organisation:
            add("organizations", organisation)
        # People, in each part of the run between "and"s ("President Xi Jinping and Prime Minister Narendra
        # Modi"). A person's name holds no known place: look after the last one ("U.S. Treasury Secretary
        # J. Baker").
        ands = [k for k in range(start, end) if tokens[k] in ("and", "&")]
        for first, last in zip([start] + [k + 1 for k in ands], ands + [end], strict=True):
            first = max([first] + [k + 1 for k in range(first, last) if known[k]])
            person = _person([w.text for w in _words(tokens[first:last], known[first:last])],
                             tokens[max(0, first - 2):first], tokens[last:last + 3])
            if person:
                add("people", person)
    return counts


def extract_entities(text: str, gazetteer: Gazetteer) -> dict[str, list[str]]:
    """Organisations, places and people named in ``text``, each list in order of first mention, normalised."""
    return {key: list(names) for key, names in entity_mentions(text, gazetteer).items()}

"""The regions of Peru an item's text names, by their ISO 3166-2:PE codes.

The regions are ISO 3166-2:PE's subdivisions, read from pycountry: the 24
departments, the Constitutional Province of Callao (PE-CAL) and Lima
Province, the capital (PE-LMA). A region is named by its own name, in the
spellings the newsletter uses (Cusco and Cuzco, Apurímac and Apurimac,
Áncash and Ancash, Callao and El Callao...), or through a main city or
province in it (`CITIES`: Trujillo is in La Libertad, Juliaca in Puno,
Espinar in Cusco, Bagua in Amazonas...). A capital that shares its region's
name (Arequipa, Cusco, Puno, Piura...) counts as the region: the text seldom
says which of the two it means, and the region holds the city.

Names are matched whole (on word boundaries), with their capitals as
written (so "ILO", the International Labour Organization, is not Ilo, and
"la libertad de expresión" is not La Libertad), and without regard to
accents (Junín, Junin). A few names are more than a region; simple rules
about the words around them decide:

- Lima, alone, is the capital: Lima Province (PE-LMA, a city). It is the
  region of Lima (PE-LIM, the provinces around the capital) only when the
  text says so: "Lima region", "región Lima", "the department of Lima",
  "Lima Provincias", "the regional government of Lima". "Metropolitan
  Lima", "Lima Metropolitana" and "Lima Province" name PE-LMA as a region.
  The Lima Group (of American states, on Venezuela) is no place.
- San Martín is the region unless it is the Liberator or something named
  after him: after "José de", "General", "Libertador", "Plaza", "Avenida",
  "Jirón", "Parque" or "Colegio", or before "de Porres" (the saint, a
  district of Lima, a university). "San Martín region" is always the region.
- La Libertad is the region unless it is the Spanish word for freedom in a
  name or a title: after "por" ("Marcha por La Libertad"), "Plaza" or
  "Avenida", or before "de expresión", "de prensa" or "de culto".
- Amazonas is the region, never the Amazon (a different word), unless it is
  the river ("el Amazonas", "río Amazonas", "Amazonas river") or Brazil's
  state ("Brazil's Amazonas", "Amazonas state").
- A region named after its river is not named by the river: "río Ucayali",
  "Madre de Dios river", "the Apurímac valley" (the VRAEM, which lies
  mostly in Ayacucho, Cusco and Junín) and "the Apurímac and Ene rivers".
- Trujillo is also a surname: after a capitalised word other than one that
  starts a sentence ("In Trujillo"), it is a person ("Julio Trujillo").
  Pisco is also the drink: "Pisco sour" is no place.

Everything is pure: text in, places out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pycountry

# What a place row says the text named: a region by its own name, or a city
# or province in it.
REGION, CITY, PROVINCE = "region", "city", "province"

LIMA_PROVINCE, LIMA_REGION = "PE-LMA", "PE-LIM"

# The spellings the newsletter uses besides ISO's names (accents aside).
SPELLINGS = {
    "PE-CAL": ("Callao",),
    "PE-CUS": ("Cuzco", "Qosqo"),
    "PE-LMA": ("Metropolitan Lima", "Lima Metropolitana", "Lima Province"),
}
# ISO's names that the text never uses alone as a region: Lima (the region)
# is only named with words that say so (`_LIMA_REGION_BEFORE`, `_AFTER`).
_NOT_A_FORM = {"Lima"}

# Main cities and provinces whose name is not their region's: name, kind, code.
CITIES = (
    ("Abancay", CITY, "PE-APU"),
    ("Andahuaylas", CITY, "PE-APU"),
    ("Cotabambas", PROVINCE, "PE-APU"),
    ("Chachapoyas", CITY, "PE-AMA"),
    ("Bagua", PROVINCE, "PE-AMA"),
    ("Condorcanqui", PROVINCE, "PE-AMA"),
    ("Huaraz", CITY, "PE-ANC"),
    ("Chimbote", CITY, "PE-ANC"),
    ("Huamanga", CITY, "PE-AYA"),
    ("Huanta", CITY, "PE-AYA"),
    ("Celendín", PROVINCE, "PE-CAJ"),
    ("Jaén", CITY, "PE-CAJ"),
    ("Espinar", PROVINCE, "PE-CUS"),
    ("Chumbivilcas", PROVINCE, "PE-CUS"),
    ("Quillabamba", CITY, "PE-CUS"),
    ("Tingo María", CITY, "PE-HUC"),
    ("Pisco", CITY, "PE-ICA"),
    ("Nazca", CITY, "PE-ICA"),
    ("Nasca", CITY, "PE-ICA"),
    ("Huancayo", CITY, "PE-JUN"),
    ("La Oroya", CITY, "PE-JUN"),
    ("Tarma", CITY, "PE-JUN"),
    ("Satipo", CITY, "PE-JUN"),
    ("Trujillo", CITY, "PE-LAL"),
    ("Chiclayo", CITY, "PE-LAM"),
    ("Huacho", CITY, "PE-LIM"),
    ("Cañete", CITY, "PE-LIM"),
    ("Lima", CITY, LIMA_PROVINCE),
    ("Iquitos", CITY, "PE-LOR"),
    ("Yurimaguas", CITY, "PE-LOR"),
    ("Datem del Marañón", PROVINCE, "PE-LOR"),
    ("Puerto Maldonado", CITY, "PE-MDD"),
    ("Ilo", CITY, "PE-MOQ"),
    ("Cerro de Pasco", CITY, "PE-PAS"),
    ("Sullana", CITY, "PE-PIU"),
    ("Talara", CITY, "PE-PIU"),
    ("Paita", CITY, "PE-PIU"),
    ("Juliaca", CITY, "PE-PUN"),
    ("Tarapoto", CITY, "PE-SAM"),
    ("Moyobamba", CITY, "PE-SAM"),
    ("Tocache", CITY, "PE-SAM"),
    ("Pucallpa", CITY, "PE-UCA"),
)

# Words around a name that say it is no place of Peru. Written with accents
# or without; matched as the text is, accents aside.
_RIVER_BEFORE = r"(?:[Rr]ío|[Rr]íos|[Rr]iver|[Rr]ivers)"
_RIVER_AFTER = r"(?:[Rr]iver|[Rr]ivers)\b"
_NOT_BEFORE = {
    "San Martín": r"(?:José de|General|Gral\.|Gen\.|Libertador|Plaza|Avenida|Av\."
    r"|Jirón|Jr\.|Parque|Colegio)",
    "La Libertad": r"(?:[Pp]or|Plaza|Plaza de|Avenida|Av\.)",
    "Amazonas": rf"(?:{_RIVER_BEFORE}|[Ee]l|del|Brazil's|Brazil’s|Brazilian)",
    "Trujillo": r"(?!(?:In|At|From|To|Near|Of|And|For|On|By|Around|Outside)\b)"
    r"\b[A-ZÁÉÍÓÚÑ][\w.]*",
}
_NOT_AFTER = {
    "San Martín": r"de Porr[ea]s\b",
    "La Libertad": r"de (?:[Ee]xpresión|[Pp]rensa|[Cc]ulto)\b",
    "Amazonas": rf"(?:{_RIVER_AFTER}|[Ss]tate\b)",
    "Apurímac": rf"(?:{_RIVER_AFTER}|[Vv]alley\b|(?:and|y|,) Ene\b|-Ene\b)",
    "Lima": r"Group\b",
    "Pisco": r"(?:[Ss]our|brandy)\b",
}
# Words around "Lima" that make it the region rather than the capital; and
# around any region's name, words that say it is the region after all.
_REGION_WORDS_AFTER = r"(?:[Rr]egion|[Rr]egional|[Dd]epartment)\b"
_LIMA_REGION_BEFORE = (
    r"(?:[Rr]egion of|[Rr]egión|[Rr]egión de|[Dd]epartment of|[Dd]epartamento de"
    r"|[Rr]egional [Gg]overnment of|[Gg]obierno [Rr]egional de)"
)
_LIMA_REGION_AFTER = rf"(?:{_REGION_WORDS_AFTER}|Provincias\b|[Pp]rovinces\b)"


@dataclass(frozen=True)
class Place:
    """A place a text names: its region's code and ISO name, the place's own
    name (the region's, or a city's or province's), what kind it is, the
    forms the text used (as written, in order) and how often it named it."""

    code: str
    region: str
    name: str
    kind: str
    matched: tuple[str, ...]
    mentions: int


def places_in(*texts: str | None) -> list[Place]:
    """The places the texts name, in the order they first name them."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for text in texts:
        if text:
            for key, form in _mentions(text):
                found.setdefault(key, []).append(form)
    regions = _regions()
    return [
        Place(code, regions[code], name, kind, tuple(dict.fromkeys(forms)), len(forms))
        for (code, name, kind), forms in found.items()
    ]


def region_names() -> dict[str, str]:
    """Every region's ISO 3166-2:PE code and name, in code order."""
    return dict(_regions())


# -- matching -------------------------------------------------------------------


def _fold_table() -> dict[int, str]:
    """Each accented Latin letter to its letter: one character for one, so that
    a match in the folded text is at the same place in the text."""
    table = {}
    for point in range(0xC0, 0x250):
        letters = "".join(
            c
            for c in unicodedata.normalize("NFD", chr(point))
            if not unicodedata.combining(c)
        )
        if len(letters) == 1 and letters != chr(point) and letters.isascii():
            table[point] = letters
    return table


_FOLD = _fold_table()
_ACCENTED = re.compile("[" + "".join(map(chr, _FOLD)) + "]")


def fold_accents(text: str) -> str:
    """The text with its accented Latin letters plain, its length kept."""
    if text.isascii():
        return text
    # Faster than str.translate, as most of a text needs no folding.
    return _ACCENTED.sub(lambda letter: _FOLD[ord(letter[0])], text)


@cache
def _regions() -> dict[str, str]:
    subdivisions = pycountry.subdivisions.get(country_code="PE")
    return {s.code: s.name for s in sorted(subdivisions, key=lambda s: s.code)}


@dataclass(frozen=True)
class _Form:
    code: str
    name: str
    kind: str


@cache
def _forms() -> dict[str, _Form]:
    """Every name matched, accents folded, and the place it names."""
    forms: dict[str, _Form] = {}
    for code, name in _regions().items():
        for spelling in (name, *SPELLINGS.get(code, ())):
            if spelling not in _NOT_A_FORM:
                forms[fold_accents(spelling)] = _Form(code, name, REGION)
    for name, kind, code in CITIES:
        forms[fold_accents(name)] = _Form(code, name, kind)
    return forms


def _compile(pattern: str, where: str) -> re.Pattern:
    pattern = fold_accents(pattern)
    if where == "before":  # the words just before, whole
        return re.compile(rf"(?<!\w){pattern}\s+$")
    return re.compile(rf"^\s*{pattern}")  # "Apurímac-Ene" too


@cache
def _matcher() -> re.Pattern:
    names = sorted(_forms(), key=len, reverse=True)  # the longest name first
    # Every name starts with a capital: the look-ahead skips most positions.
    alternatives = "|".join(map(re.escape, names))
    return re.compile(rf"(?<!\w)(?=[A-Z])(?:{alternatives})(?!\w)")


@cache
def _rules() -> tuple[dict, dict]:
    """The words before and after a name that say it is no place, compiled."""
    before = {fold_accents(n): _compile(p, "before") for n, p in _NOT_BEFORE.items()}
    after = {fold_accents(n): _compile(p, "after") for n, p in _NOT_AFTER.items()}
    return before, after


_WINDOW = 40  # characters either side that the rules read
_RIVER = (_compile(_RIVER_BEFORE, "before"), _compile(_RIVER_AFTER, "after"))
_REGION_AFTER = _compile(_REGION_WORDS_AFTER, "after")
_LIMA_REGION = (
    _compile(_LIMA_REGION_BEFORE, "before"),
    _compile(_LIMA_REGION_AFTER, "after"),
)


def _mentions(text: str) -> Iterable[tuple[tuple[str, str, str], str]]:
    """Each place named: (code, name, kind) and the form as written."""
    folded = fold_accents(text)
    forms = _forms()
    for match in _matcher().finditer(folded):
        start, end = match.span()
        before = folded[max(0, start - _WINDOW) : start]
        after = folded[end : end + _WINDOW]
        form = forms[match[0]]
        place = _place(match[0], form, before, after)
        if place is not None:
            yield place, text[start:end]


def _place(name: str, form: _Form, before: str, after: str):
    """The place a name names, given the words around it; None for no place."""
    if _REGION_AFTER.match(after) and form.kind == REGION:
        return form.code, form.name, form.kind
    not_before, not_after = _rules()
    if name in not_before and not_before[name].search(before):
        return None
    if name in not_after and not_after[name].match(after):
        return None
    if form.kind == REGION and (_RIVER[0].search(before) or _RIVER[1].match(after)):
        return None
    lima = form.code == LIMA_PROVINCE and form.kind == CITY
    if lima and (_LIMA_REGION[0].search(before) or _LIMA_REGION[1].match(after)):
        return LIMA_REGION, _regions()[LIMA_REGION], REGION
    return form.code, form.name, form.kind

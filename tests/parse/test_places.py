"""The regions of Peru a text names: spellings, cities, and the ambiguous names."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psgscraper.parse.places import (
    CITIES,
    CITY,
    PROVINCE,
    REGION,
    Place,
    fold_accents,
    places_in,
    region_names,
)


def named(text: str) -> list[tuple[str, str, str]]:
    """(code, name, kind) of each place the text names, in order."""
    return [(place.code, place.name, place.kind) for place in places_in(text)]


def codes(text: str) -> set[str]:
    return {place.code for place in places_in(text)}


def test_the_regions_are_iso_3166_2_pe():
    regions = region_names()
    assert len(regions) == 26  # 24 departments, Callao, Lima Province
    assert regions["PE-CUS"] == "Cusco"
    assert regions["PE-LMA"] == "Municipalidad Metropolitana de Lima"
    assert {code for _, _, code in CITIES} <= set(regions)


@pytest.mark.parametrize(
    ("text", "code", "form"),
    [
        ("Tintaya, Espinar in Cuzco.", "PE-CUS", "Cuzco"),
        ("The regional government of Cusco said", "PE-CUS", "Cusco"),
        ("Apurimac women study their rights", "PE-APU", "Apurimac"),
        ("Conflict in Apurímac over Las Bambas", "PE-APU", "Apurímac"),
        ("Floods in Junin leave thousands homeless", "PE-JUN", "Junin"),
        ("Protests in Junín", "PE-JUN", "Junín"),
        ("Illegal gold mining in Madre de Dios", "PE-MDD", "Madre de Dios"),
        ("Coca growers of Huanuco march", "PE-HUC", "Huanuco"),
        ("Glaciers melt in Áncash", "PE-ANC", "Áncash"),
        ("Antamina in Ancash", "PE-ANC", "Ancash"),
        ("the judicial corruption ring in Callao", "PE-CAL", "Callao"),
        ("Oil spills in Loreto", "PE-LOR", "Loreto"),
        ("Puno's Aymara communities", "PE-PUN", "Puno"),
        ("Tía María in Arequipa", "PE-ARE", "Arequipa"),
        ("Conga mine in Cajamarca", "PE-CAJ", "Cajamarca"),
        ("Water rights in Ica", "PE-ICA", "Ica"),
        ("Tumbes hit by El Niño", "PE-TUM", "Tumbes"),
        ("the Ucayali region", "PE-UCA", "Ucayali"),
        ("Cocoa replaces coca in San Martin", "PE-SAM", "San Martin"),
    ],
)
def test_a_region_by_its_name_in_the_newsletters_spellings(text, code, form):
    (place,) = (place for place in places_in(text) if place.kind == REGION)
    assert place.code == code
    assert place.name == region_names()[code]
    assert place.matched == (form,)


@pytest.mark.parametrize(
    ("text", "code", "name", "kind"),
    [
        ("Mayor of Trujillo arrested", "PE-LAL", "Trujillo", CITY),
        ("Dengue outbreak in Chiclayo", "PE-LAM", "Chiclayo", CITY),
        ("A river port at Iquitos", "PE-LOR", "Iquitos", CITY),
        ("Strike in Juliaca", "PE-PUN", "Juliaca", CITY),
        ("Huancayo's water supply", "PE-JUN", "Huancayo", CITY),
        ("Huaraz under the glacier", "PE-ANC", "Huaraz", CITY),
        ("Fishmeal plants of Chimbote", "PE-ANC", "Chimbote", CITY),
        ("Pucallpa loggers", "PE-UCA", "Pucallpa", CITY),
        ("A bishop in Tarapoto", "PE-SAM", "Tarapoto", CITY),
        ("Puerto Maldonado's miners", "PE-MDD", "Puerto Maldonado", CITY),
        ("Abancay hospital", "PE-APU", "Abancay", CITY),
        ("child poisoning in Cerro de Pasco", "PE-PAS", "Cerro de Pasco", CITY),
        ("Chachapoyas and Kuelap", "PE-AMA", "Chachapoyas", CITY),
        ("Moyobamba", "PE-SAM", "Moyobamba", CITY),
        ("Tintaya, Espinar", "PE-CUS", "Espinar", PROVINCE),
        ("Ten years after Bagua", "PE-AMA", "Bagua", PROVINCE),
        ("in various districts of Cotabambas", "PE-APU", "Cotabambas", PROVINCE),
        ("the smelter at La Oroya", "PE-JUN", "La Oroya", CITY),
        ("The port of Ilo", "PE-MOQ", "Ilo", CITY),
        ("The 2007 earthquake in Pisco", "PE-ICA", "Pisco", CITY),
    ],
)
def test_a_region_through_a_city_or_province_in_it(text, code, name, kind):
    assert named(text) == [(code, name, kind)]


def test_a_place_says_each_form_it_was_named_by_and_how_often():
    text = "Espinar in Cuzco. Cusco's governor visited Espinar, and Cuzco again."
    assert places_in(text) == [
        Place("PE-CUS", "Cusco", "Espinar", PROVINCE, ("Espinar",), 2),
        Place("PE-CUS", "Cusco", "Cusco", REGION, ("Cuzco", "Cusco"), 3),
    ]


def test_several_texts_are_read_as_one():
    assert places_in("Strike in Puno", None, "", "Puno and Tacna") == [
        Place("PE-PUN", "Puno", "Puno", REGION, ("Puno",), 2),
        Place("PE-TAC", "Tacna", "Tacna", REGION, ("Tacna",), 1),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Indigenous organisations of the Amazon speak out",  # not Amazonas
        "Amazonian indigenous groups",
        "the ILO's Convention 169",  # capitals as written: not Ilo
        "PUNO",
        "la libertad de expresión",
        "Limabamba",  # names match whole words
        "Icarus",
        "Pascoe",
        "A Peruvian newsletter",
    ],
)
def test_no_place_in_another_word_or_another_case(text):
    assert places_in(text) == []


def test_accents_are_folded_without_moving_what_is_matched():
    assert fold_accents("Junín, Apurímac, Áncash, Huánuco") == (
        "Junin, Apurimac, Ancash, Huanuco"
    )
    (place,) = places_in("Según el gobierno, en Huánuco")
    assert place.matched == ("Huánuco",)


# -- the ambiguities ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Lima alone is the capital, Lima Province.
        ("Thousands march in Lima against the pardon", {"PE-LMA"}),
        ("The Congress building in Lima", {"PE-LMA"}),
        ("Lima's mayor", {"PE-LMA"}),
        ("Metropolitan Lima's council", {"PE-LMA"}),
        # The region of Lima only when the text says so.
        ("Regional elections in the Lima region", {"PE-LIM"}),
        ("Floods in the department of Lima", {"PE-LIM"}),
        ("la región Lima", {"PE-LIM"}),
        ("the regional government of Lima", {"PE-LIM"}),
        ("Lima Provincias elects a governor", {"PE-LIM"}),
        ("Huacho, in the Lima region, and Lima", {"PE-LIM", "PE-LMA"}),
        # The Lima Group is no place.
        ("The Lima Group meets on Venezuela", set()),
    ],
)
def test_lima_the_capital_or_the_region(text, expected):
    assert codes(text) == expected


def test_lima_the_capital_is_a_city_and_the_region_a_region():
    assert named("Lima and the Lima region") == [
        ("PE-LMA", "Lima", CITY),
        ("PE-LIM", "Lima", REGION),
    ]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Cocoa growers in San Martín", True),
        ("Tarapoto, San Martín: deforestation", True),
        ("the San Martín region", True),
        ("the statue of José de San Martín", False),
        ("Jose de San Martin proclaimed independence", False),
        ("General San Martín declared independence in 1821", False),
        ("a rally in the Plaza San Martín", False),
        ("offices on Avenida San Martín", False),
        ("the Universidad San Martín de Porres", False),
    ],
)
def test_san_martin_the_region_or_the_liberator(text, region):
    assert ("PE-SAM" in codes(text)) is region


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Sugar workers in La Libertad", True),
        ("Trujillo, La Libertad", True),
        ("the regional government of La Libertad", True),
        ("Marcha por La Libertad", False),
        ("El Frente por La Libertad", False),
        ("a vigil in the Plaza de La Libertad", False),
        ("La Libertad de Expresión en el Perú", False),
        ("la libertad de prensa", False),
    ],
)
def test_la_libertad_the_region_or_freedom(text, region):
    assert ("PE-LAL" in codes(text)) is region


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("the Amazonas region of northern Peru", True),
        ("Awajún communities in Amazonas", True),
        ("Chachapoyas, Amazonas", True),
        ("a boat on the río Amazonas", False),
        ("Rafael travelled to Amazonas", True),  # "el" of a word is not "el"
        ("el Amazonas crece", False),
        ("the Amazonas river at Iquitos", False),
        ("Manaus, capital of Brazil's Amazonas state", False),
        ("the Amazon rainforest", False),
    ],
)
def test_amazonas_the_region_or_the_river(text, region):
    assert ("PE-AMA" in codes(text)) is region


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Madre de Dios", True),
        ("the Ucayali region", True),
        ("Apurímac", True),
        ("gold dredges on the Madre de Dios river", False),
        ("a spill into the río Ucayali", False),
        ("the Apurímac valley", False),
        ("the valley of the Apurímac and Ene rivers", False),
        ("the Apurímac-Ene valley", False),
    ],
)
def test_a_region_named_after_a_river_is_not_the_river(text, region):
    assert bool(codes(text) - {"PE-LOR"}) is region


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Protests in Trujillo", True),
        ("In Trujillo, workers struck", True),
        ("From Trujillo to Chiclayo", True),
        ("Julio Trujillo, the minister", False),
        ("according to Dr Trujillo", False),
        ("The 2007 earthquake destroyed Pisco", True),
        ("a glass of Pisco sour", False),
    ],
)
def test_a_city_that_is_also_a_surname_or_a_drink(text, city):
    assert bool(codes(text) - {"PE-LAM"}) is city


# Words the texts below are made of: names, the words the rules read, others.
WORDS = st.sampled_from(
    [
        "Cusco",
        "Cuzco",
        "Junín",
        "Junin",
        "Lima",
        "region",
        "San Martín",
        "José de",
        "La Libertad",
        "por",
        "Amazonas",
        "río",
        "river",
        "Trujillo",
        "Julio",
        "In",
        "Ñaña",
        "Ánimo",
        "é",
        "Limeño",
        "-",
        ",",
        ".",
        "’s",
        "\n",
        "Apurímac",
        "Ene",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=12), st.sampled_from([" ", "", "  "]))
def test_what_is_matched_is_in_the_text_as_written(words, space):
    text = space.join(words)
    for place in places_in(text):
        assert all(form in text for form in place.matched)
        assert place.mentions >= len(place.matched)

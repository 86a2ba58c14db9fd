"""The words of the mirror: titles, summaries, captions and bylines about Peru.

Text is drawn from templates filled with Peruvian places, projects,
organisations and office-holders of the day, so that it reads like the
newsletter and carries what the real text carried: accented names, curly or
straight quotes, en dashes, ampersands, the odd `Peruís` typo and, now and then,
a character outside windows-1252 (CO₂). All choices come from the `random.Random`
given to the `Writer`, so the same seed writes the same words.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass, field

from .dating import day_text

# -- the vocabulary ----------------------------------------------------------

REGIONS = (
    "Cajamarca", "Apurímac", "Cusco", "Puno", "Ayacucho", "Huancavelica", "Junín",
    "Loreto", "Ucayali", "Madre de Dios", "San Martín", "Amazonas", "Piura",
    "Áncash", "Arequipa", "Moquegua", "Tacna", "Pasco", "Huánuco", "La Libertad",
)  # fmt: skip
AMAZON_REGIONS = ("Loreto", "Ucayali", "Madre de Dios", "San Martín", "Amazonas")
TOWNS = (
    "Celendín", "Espinar", "Cotabambas", "Challhuahuacho", "Andahuaylas", "Juliaca",
    "Ilave", "Huancayo", "La Oroya", "Cerro de Pasco", "Tambogrande", "Huaraz",
    "Bambamarca", "Islay", "Cocachacra", "Chumbivilcas", "Ayaviri", "Huancabamba",
)  # fmt: skip
AMAZON_TOWNS = (
    "Iquitos", "Pucallpa", "Puerto Maldonado", "Bagua", "Tarapoto", "Yurimaguas",
    "Nauta", "Atalaya", "Saramiriza",
)  # fmt: skip
AYACUCHO_PLACES = (
    "Accomarca", "Putis", "Cayara", "Huanta", "Lucanamarca", "Chungui", "Totos",
)  # fmt: skip
RIVERS = (
    "Marañón", "Ucayali", "Corrientes", "Pastaza", "Tigre", "Napo", "Madre de Dios",
    "Huallaga", "Cenepa",
)  # fmt: skip
PROJECTS = (
    "Conga", "Tía María", "Las Bambas", "Yanacocha", "Río Blanco", "Antamina",
    "Tintaya", "Quellaveco", "Cerro Verde", "Constancia", "Toromocho", "Michiquillay",
)  # fmt: skip
COMPANIES = (
    "Newmont", "Buenaventura", "Southern Copper", "Glencore", "MMG", "Hudbay",
    "Anglo American", "Xstrata", "Monterrico Metals", "Barrick", "Doe Run",
    "Chinalco", "Rio Tinto & BHP",
)  # fmt: skip
OIL_COMPANIES = (
    "Pluspetrol", "Petroperú", "Perenco", "Repsol", "Hunt Oil", "Frontera Energy",
)  # fmt: skip
BLOCKS = ("192", "8", "64", "67", "88", "95", "116", "1-AB")
ORGANISATIONS = (
    ("CooperAcción", "http://www.cooperaccion.org.pe/"),
    ("the Defensoría del Pueblo", "http://www.defensoria.gob.pe/"),
    ("AIDESEP", "http://www.aidesep.org.pe/"),
    ("CONACAMI", None),
    ("the Coordinadora Nacional de Derechos Humanos", "http://derechoshumanos.pe/"),
    ("APRODEH", "http://www.aprodeh.org.pe/"),
    ("the Instituto de Defensa Legal", "http://www.idl.org.pe/"),
    ("Red Muqui", "http://www.muqui.org/"),
    ("CAAAP", None),
    ("Oxfam", "http://www.oxfam.org.uk/"),
    ("CAFOD", "http://www.cafod.org.uk/"),
    ("Christian Aid", None),
    ("Amnesty International", "http://www.amnesty.org/"),
    ("Grufides", None),
    ("Derecho, Ambiente y Recursos Naturales (DAR)", None),
    ("the Centro Bartolomé de las Casas", None),
    ("Survival International", None),
    ("Derechos Humanos & Medio Ambiente", None),
)
MEDIA = (
    "La República", "El Comercio", "Caretas", "IDL-Reporteros", "Ojo Público",
    "Servindi", "Noticias SER", "Perú21", "La Mula",
)  # fmt: skip
MINISTERS = (
    "the Minister of Energy and Mines", "the Environment Minister",
    "the Interior Minister", "the Prime Minister", "the Minister of Agriculture",
    "the Minister of Women", "the Justice Minister", "the Economy Minister",
)  # fmt: skip
PEOPLES = (
    "Awajún and Wampís communities", "Asháninka communities", "Shipibo-Konibo families",
    "Quechua-speaking communities", "Achuar federations", "Kichwa communities",
    "campesino communities", "Aymara communities", "Matsigenka families",
)  # fmt: skip
FIGURES = (
    "Marco Arana", "Máxima Acuña", "Alberto Pizango", "Hugo Blanco", "Gregorio Santos",
    "Rocío Silva Santisteban", "Javier Diez Canseco", "Salomón Lerner Febres",
    "Gisela Ortiz", "Francisco Soberón", "Ernesto de la Jara", "Carolina Trivelli",
)  # fmt: skip
CASES = (
    "Barrios Altos", "La Cantuta", "Accomarca", "Putis", "Cayara", "El Frontón",
    "Bagua", "Chavín de Huántar", "forced sterilisations",
)  # fmt: skip
LAWS = (
    "the prior consultation law", "the new forestry law", "the water resources law",
    "Legislative Decree 1015", "the hydrocarbons law", "a new mining code",
    "the anti-terrorism laws", "a law on the protection of human rights defenders",
    "the law on indigenous peoples in voluntary isolation",
)  # fmt: skip
EDITORIAL_TOPICS = (
    "water before gold", "the mining conflict", "elections ahead", "justice delayed",
    "the Amazon under pressure", "a new government", "the right to be consulted",
    "twenty years after the Truth Commission", "growth without equity",
    "the cost of corruption", "defending the defenders", "climate change and the Andes",
)  # fmt: skip
LETTER_PLACES = ("Puno", "Lima", "Ayacucho", "Cusco")
BYLINE_NAMES = (
    "Martin Scurrah", "Catherine Ward", "Pedro Mamani Condori", "Lucía Ñahui",
    "David Rees", "Sarah Whitfield", "Andrés Gálvez", "Jo Baines",
    "Miguel Ángel Cáceres", "Elena Ríos", "Tom Haworth", "Rosa Huamán",
)  # fmt: skip
BYLINE_PLACES = (
    "Lima", "Cusco", "Puno", "London", "Cajamarca", "Iquitos", "Ayacucho", "Arequipa",
)  # fmt: skip
BOOKS = (
    "Water and Power in the Andes", "After the Violence", "Mining Frontiers",
    "The Forgotten Amazon", "Memory and Justice in Peru", "Gold and the Commons",
)  # fmt: skip
QUOTES = (
    "We will not give up our water", "The consultation was a sham",
    "Nobody asked us", "The law must apply to everyone",
    "We want development, but not at any price", "Justice has been too slow",
)  # fmt: skip
INSTITUTIONS = (
    "the judiciary", "the National Council of the Magistracy", "the police",
    "the regional government of {region}", "Congress", "the Lima city council",
)  # fmt: skip
CORDILLERAS = ("Blanca", "Vilcanota", "Huaytapallana", "Raura", "Huayhuash")
CLIMATE_CITIES = (
    "Copenhagen", "Cancún", "Durban", "Doha", "Warsaw", "Lima", "Paris", "Bonn",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
PRESIDENTS = (
    (datetime.date(2006, 7, 28), "Alejandro Toledo"),
    (datetime.date(2011, 7, 28), "Alan García"),
    (datetime.date(2016, 7, 28), "Ollanta Humala"),
    (datetime.date(2018, 3, 23), "Pedro Pablo Kuczynski"),
    (datetime.date(9999, 1, 1), "Martín Vizcarra"),
)

# -- the templates -------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """Titles, opening sentences and further sentences on one subject."""

    titles: tuple[str, ...]
    leads: tuple[str, ...]
    follows: tuple[str, ...]
    captions: tuple[str, ...]


TOPICS = {
    "mining": Topic(
        titles=(
            "Protests against {project} intensify",
            "{company} suspends work at {project}",
            "State of emergency declared in {town}",
            "Dialogue table on {project} breaks down",
            "{region}: communities vote against mining",
            "Water and mining in {region}",
            "New mining concessions in {region} questioned",
            "{project}: environmental impact study under fire",
            "Clashes at {project} leave {few} injured",
            "Mining canon: who benefits in {region}?",
            "{company} announces expansion at {project}",
            "Illegal mining spreads in {region}",
        ),
        leads=(
            "Communities in {town} have renewed their protests against the {project} "
            "project, operated by {company}.",
            "The government declared a state of emergency in {town} on {weekday}, "
            "suspending constitutional guarantees for {few} days.",
            "Talks between {company} and the communities around {project} broke down "
            "this week after police cleared a road blockade near {town}.",
            "{org} has published a report on the impact of mining on water supplies "
            "in {region}, the first of its kind for the region.",
            "A local referendum in {town} has rejected mining in the district by a "
            "large majority, although the government says the vote has no legal "
            "force.",
        ),
        follows=(
            "Local leaders say the company’s environmental impact study ignores the "
            "risk to the headwaters of the {river}.",
            "According to {org}, more than {conflicts} social conflicts linked to "
            "mining remain unresolved across the country.",
            "{media} reported that police used tear gas to disperse some {n} "
            "protesters.",
            "The Defensoría del Pueblo counted {conflicts} active social conflicts in "
            "its latest monthly report, most of them over mining.",
            "{company} insists that the project will bring jobs and investment worth "
            "US${money} million to {region}.",
            "Opponents fear for the lagoons that supply water to {town} and to "
            "thousands of farmers downstream.",
            "{minister} travelled to {town} to open a dialogue table, but the main "
            "community organisations stayed away.",
            "“{quote},” said one of the community leaders.",
            "Mining accounts for around {pct} per cent of Peru’s exports, and the "
            "government is keen to see new projects go ahead.",
            "The regional government of {region} has called for a new environmental "
            "study before any further work is done.",
        ),
        captions=(
            "Protesters on the road to {project}",
            "The open pit at {project}",
            "Campesinos march in {town}",
            "Lagoons above {town}",
            "A community assembly in {region}",
        ),
    ),
    "amazon": Topic(
        titles=(
            "Oil spill on the {river}",
            "{peoples} demand consultation over Block {block}",
            "Northern Peru pipeline spills into the {river}",
            "Amazon leaders meet in {amazontown}",
            "Logging concessions questioned in {amazonregion}",
            "Gold rush devastates forest in {amazonregion}",
            "{oilco} to leave Block {block}",
            "Deforestation rises in {amazonregion}",
            "Uncontacted peoples at risk in {amazonregion}",
        ),
        leads=(
            "A new spill from the Northern Peru Pipeline has polluted the {river} "
            "river, according to {org}.",
            "{peoples} in {amazonregion} say they were never consulted before Block "
            "{block} was granted to {oilco}.",
            "Indigenous leaders from across the Amazon met in {amazontown} this week "
            "to agree a common platform ahead of the regional elections.",
            "Satellite images show the loss of some {n} hectares of forest in "
            "{amazonregion} over the past year, much of it to illegal gold mining.",
        ),
        follows=(
            "{org} estimates that some {n} barrels of crude were lost before the "
            "flow was stopped.",
            "{oilco} says the spill was caused by sabotage, a claim the communities "
            "reject.",
            "Children in the villages along the {river} have been found with high "
            "levels of lead and cadmium in their blood.",
            "Burning cleared forest releases large amounts of CO₂, and Peru’s "
            "emissions now come mainly from deforestation.",
            "AIDESEP has called on the government to suspend all new concessions "
            "until the right to prior consultation is respected.",
            "The Environment Ministry’s monitoring agency, OEFA, has opened an "
            "inquiry and may fine the company.",
            "“{quote},” an Achuar leader told {media}.",
            "Around {n} people now work in illegal mining camps along the "
            "Interoceanic Highway.",
        ),
        captions=(
            "The {river} river near {amazontown}",
            "Oil on the water at {amazontown}",
            "Cleared forest in {amazonregion}",
            "Leaders of {peoples}",
        ),
    ),
    "rights": Topic(
        titles=(
            "Court upholds sentence in {case} case",
            "Truth Commission recommendations unfulfilled in {region}",
            "Reparations for victims in {ayacucho}",
            "Exhumations begin in {ayacucho}",
            "Human rights defenders under threat in {region}",
            "Inter-American Court rules on {case}",
            "Searching for the disappeared in {region}",
            "{case}: the trial resumes",
            "Families of the disappeared march in {town}",
        ),
        leads=(
            "The Truth and Reconciliation Commission estimated that some 69,000 "
            "people died in the internal armed conflict between 1980 and 2000.",
            "Relatives of the victims of the {case} case have now waited {few} years "
            "for justice.",
            "Forensic teams have recovered the remains of {n} people from a mass "
            "grave near {ayacucho}.",
            "The Supreme Court has confirmed the sentences handed down in the {case} "
            "case, in a ruling welcomed by human rights groups.",
            "{org} has warned that criminal charges are increasingly being used "
            "against environmental and human rights defenders.",
        ),
        follows=(
            "Most of the victims were Quechua-speaking peasants from the highlands of "
            "{region}.",
            "The reparations programme has so far reached only a fraction of the "
            "{n} families on the official register.",
            "{figure} said the ruling was “an important step, but only a first one”.",
            "The defence lawyers say they will appeal to the Inter-American Court.",
            "Of the {n} cases the Commission passed to the prosecutors, only a few "
            "have reached a verdict.",
            "“{quote},” said a relative outside the court.",
            "The Ministry of Justice has promised a new plan for the search for the "
            "disappeared.",
        ),
        captions=(
            "Relatives outside the court",
            "A memorial in {ayacucho}",
            "Forensic work near {ayacucho}",
            "The Yuyanapaq exhibition in Lima",
        ),
    ),
    "politics": Topic(
        titles=(
            "{president} reshuffles cabinet",
            "Congress debates {law}",
            "Regional elections: the results in {region}",
            "{president} swears in new Prime Minister",
            "Corruption scandal reaches {institution}",
            "Approval ratings fall for {president}",
            "Election campaign gets under way in {region}",
            "{president} addresses the nation",
            "Congress censures {minister}",
        ),
        leads=(
            "President {president} swore in {few} new ministers on {weekday}, the "
            "latest of several changes to the cabinet.",
            "Congress has begun to debate {law}, which critics say weakens existing "
            "protections.",
            "Opinion polls published this week put approval of President "
            "{president} at {pct} per cent.",
            "Voters in {region} elected a new regional president on Sunday, with "
            "turnout of around {pct} per cent.",
            "A new corruption scandal has shaken the government of {president} "
            "after {media} published recordings of senior officials.",
        ),
        follows=(
            "Congress voted by {votes} to {few} to approve the measure, with the "
            "Fujimorista bloc voting in favour.",
            "The opposition accused the government of giving in to business interests.",
            "Analysts say the government has lost the initiative in Congress.",
            "{figure} called for a full investigation and for those responsible to "
            "resign.",
            "The changes were announced in the Palacio de Gobierno after a week of "
            "speculation in {media}.",
            "The new law must still be signed by the President, who has {few} days to "
            "observe it.",
        ),
        captions=(
            "President {president}",
            "The Congress building in Lima",
            "Voters queue in {town}",
        ),
    ),
    "environment": Topic(
        titles=(
            "Glaciers retreat in the Cordillera {cordillera}",
            "Floods hit {region}",
            "Drought hits farmers in {region}",
            "Peru at the climate talks in {climate_city}",
            "Lead pollution: {org} calls for action",
            "Frost and cold kill children in {region}",
            "Water shortages hit {town}",
        ),
        leads=(
            "Scientists say Peru’s tropical glaciers have lost around {pct} per cent "
            "of their area since 1970.",
            "Heavy rains have flooded large parts of {region}, leaving {n} families "
            "homeless.",
            "A long drought is threatening the harvest across the southern Andes, "
            "where most farmers depend on rain.",
            "Peru has presented its plans to cut emissions of CO₂ and other "
            "greenhouse gases by {pct} per cent by 2030.",
        ),
        follows=(
            "The melt water feeds the rivers on which the coast depends for "
            "drinking water and irrigation.",
            "Civil defence officials said that {n} houses had been destroyed.",
            "{org} says the authorities were slow to respond to the warnings.",
            "Lead levels in the blood of children in La Oroya remain far above the "
            "limits set by the WHO.",
            "Temperatures in the high Andes fell to –{few}°C this week, and "
            "respiratory infections are rising.",
            "The government has declared an emergency in {few} provinces of {region}.",
        ),
        captions=(
            "The Pastoruri glacier",
            "Flooding in {town}",
            "Dry fields in {region}",
        ),
    ),
    "social": Topic(
        titles=(
            "Teachers’ strike spreads to {region}",
            "Health workers walk out in {region}",
            "Women’s organisations march in {town}",
            "Poverty falls to {pct} per cent, says INEI",
            "Quechua in the classrooms of {region}",
            "Coca growers protest in {region}",
            "Domestic workers organise in {town}",
        ),
        leads=(
            "Teachers in {region} have joined the national strike, demanding better "
            "pay and an end to the new evaluation system.",
            "The national statistics office, INEI, says poverty fell to {pct} per "
            "cent last year, though it remains far higher in rural areas.",
            "Thousands of women marched in Lima and {town} on {weekday} against "
            "violence towards women.",
            "Coca growers in {region} have blocked roads in protest at the "
            "government’s eradication programme.",
        ),
        follows=(
            "The teachers’ union, SUTEP, says {n} schools were closed this week.",
            "In {region} more than half the population still lives in poverty.",
            "{org} says the figures hide deep inequalities between Lima and the "
            "highlands.",
            "The government has promised a dialogue, but no date has been set.",
            "Bilingual education reaches only a small share of Quechua and Aymara "
            "speaking children.",
            "The Ministry of Women registered {n} femicides in the first half of "
            "the year.",
        ),
        captions=(
            "Teachers march in {town}",
            "A market in {town}",
            "Women weaving in {region}",
        ),
    ),
    "psg": Topic(
        titles=(
            "New PSG report on {region}",
            "PSG delegation visits {region}",
            "Meeting on {region} at the House of Commons",
            "PSG briefing on {project}",
            "Visit by {figure}",
        ),
        leads=(
            "The Peru Support Group has published a new report on mining and human "
            "rights in {region}, based on a visit by a PSG delegation.",
            "{figure} visited London this week as a guest of the Peru Support Group, "
            "meeting MPs and officials.",
            "A meeting on Peru held at the House of Commons on {weekday} heard from "
            "{figure} and from {org}.",
        ),
        follows=(
            "Copies of the report are available from the PSG office.",
            "The meeting was chaired by the PSG’s president and attended by some "
            "{n} people.",
            "The PSG will follow up the recommendations with the Foreign & "
            "Commonwealth Office.",
            "{org} helped to organise the programme of the visit.",
        ),
        captions=(
            "The PSG delegation in {region}",
            "{figure} in London",
        ),
    ),
}
NEWS_TOPICS = (
    ("mining", 26), ("amazon", 16), ("rights", 16), ("politics", 18),
    ("environment", 9), ("social", 11), ("psg", 4),
)  # fmt: skip
ARTICLE_KINDS = (
    ("analysis", 40), ("editorial", 14), ("letter", 7), ("interview", 8),
    ("review", 5), ("chronology", 6),
)  # fmt: skip

ARTICLE_TITLES = {
    "analysis": (
        "Analysis: {topic_title}",
        "{region}: the view from the ground",
        "Mining and communities in {region}",
        "{project}: what went wrong?",
        "The politics of {law_short}",
        "Peru’s economy in {year}: growth for whom?",
        "Memory, truth and justice in {region}",
    ),
    "editorial": ("Editorial: {editorial}",),
    "letter": ("Letter from {letter}",),
    "interview": ("Interview with {figure}", "In conversation: {figure}"),
    "review": ("Book review: ‘{book}’",),
    "chronology": ("{project}: a chronology", "The {case} case: a chronology"),
}
LAWS_SHORT = ("consultation", "water", "mining reform", "land titling", "forestry")

# Sentences that suit any topic, for the longer full texts.
GENERAL = (
    "The PSG will continue to follow developments closely.",
    "We will report further in the next issue of the Newsletter.",
    "{org} has called on the British government to raise the matter with the "
    "Peruvian authorities.",
    "The story was widely reported in {media}.",
    "Further details are available from {org}.",
    "Observers in Lima expect the issue to return to the headlines before long.",
)

CORRECTIONS = (
    "This item was corrected on {date}: an earlier version gave the wrong figure.",
    "{org} has since issued a statement welcoming the decision.",
    "Further talks are expected to take place next week.",
    "The ministry has since confirmed the figures.",
    "Updated on {date} with the government’s response.",
)

# -- the writer ---------------------------------------------------------------


@dataclass
class Mark:
    """Markup inside a paragraph: `phrase` as a link to `href`, or emphasised."""

    paragraph: int
    phrase: str
    href: str | None = None


@dataclass
class Piece:
    """What the writer wrote for one item."""

    title: str
    paragraphs: list[str]
    more: list[str]
    caption: str | None = None
    marks: list[Mark] = field(default_factory=list)


# Values drawn anew each time a template asks for them.
FRESH = frozenset({"n", "few", "pct", "money", "votes", "conflicts", "weekday"})


class _Fill(dict):
    """Template values, each drawn once per piece when first asked for."""

    def __init__(self, writer: Writer, day: datetime.date) -> None:
        super().__init__()
        self.writer = writer
        self.day = day

    def __missing__(self, key: str) -> str:
        value = self.writer.draw(key.rstrip("0123456789"), self.day)
        if key not in FRESH:
            self[key] = value  # the same town all through the piece
        return value


class Writer:
    """Writes titles and text; every choice comes from `rng`."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # -- values for the templates ---------------------------------------------

    def draw(self, key: str, day: datetime.date) -> str:
        rng = self.rng
        lists = {
            "region": REGIONS,
            "amazonregion": AMAZON_REGIONS,
            "town": TOWNS,
            "amazontown": AMAZON_TOWNS,
            "ayacucho": AYACUCHO_PLACES,
            "river": RIVERS,
            "project": PROJECTS,
            "company": COMPANIES,
            "oilco": OIL_COMPANIES,
            "block": BLOCKS,
            "media": MEDIA,
            "minister": MINISTERS,
            "peoples": PEOPLES,
            "figure": FIGURES,
            "case": CASES,
            "law": LAWS,
            "law_short": LAWS_SHORT,
            "editorial": EDITORIAL_TOPICS,
            "letter": LETTER_PLACES,
            "book": BOOKS,
            "quote": QUOTES,
            "weekday": WEEKDAYS,
            "institution": INSTITUTIONS,
            "cordillera": CORDILLERAS,
            "climate_city": CLIMATE_CITIES,
        }
        if key in lists:
            return rng.choice(lists[key])
        if key == "org":
            return rng.choice(ORGANISATIONS)[0]
        if key == "president":
            return next(name for until, name in PRESIDENTS if day < until)
        if key == "n":
            return str(rng.randint(12, 950))
        if key == "conflicts":
            return str(rng.randint(140, 290))
        if key == "votes":
            return str(rng.randint(56, 92))
        if key == "few":
            return str(rng.randint(3, 30))
        if key == "pct":
            return str(rng.randint(8, 75))
        if key == "money":
            return f"{rng.randint(2, 90) * 10:,}"
        if key == "topic_title":
            return rng.choice(TOPICS[self._weighted(NEWS_TOPICS)].titles)
        if key == "year":
            return str(day.year)
        if key == "date":
            return day_text(day, padded=False)
        raise KeyError(key)

    def _weighted(self, choices: tuple[tuple[str, int], ...]) -> str:
        names = [name for name, _ in choices]
        weights = [weight for _, weight in choices]
        return self.rng.choices(names, weights)[0]

    def _fill(self, template: str, values: _Fill) -> str:
        text = template.format_map(values)
        # A value can itself be a template ("Analysis: {topic_title}").
        return text.format_map(values) if "{" in text else text

    # -- pieces ---------------------------------------------------------------

    def news(self, day: datetime.date, paragraphs: int) -> Piece:
        """A news item: a topical title and a summary of 1-3 paragraphs."""
        topic = TOPICS[self._weighted(NEWS_TOPICS)]
        values = _Fill(self, day)
        title = self._fill(self.rng.choice(topic.titles), values)
        text, more = self._body(topic, values, paragraphs, self.rng.randint(1, 3))
        caption = self._fill(self.rng.choice(topic.captions), values)
        return self._finish(Piece(_upper_first(title), text, more, caption), day)

    def article(self, day: datetime.date, paragraphs: int) -> Piece:
        """A longer piece: analysis, editorial, letter, interview, review."""
        kind = self._weighted(ARTICLE_KINDS)
        topic = TOPICS[self._weighted(NEWS_TOPICS)]
        values = _Fill(self, day)
        title = self._fill(self.rng.choice(ARTICLE_TITLES[kind]), values)
        text, more = self._body(topic, values, paragraphs, self.rng.randint(2, 4))
        if kind == "letter":
            text[0] = f"From our correspondent in {values['letter']}. {text[0]}"
        caption = self._fill(self.rng.choice(topic.captions), values)
        return self._finish(Piece(_upper_first(title), text, more, caption), day)

    def holiday_notice(self) -> Piece:
        """The August bank holiday notice: a short dated item, not a block."""
        text = self.rng.choice(
            (
                "The Newsletter will not be published next week because of the UK "
                "August Public Holiday.",
                "There will be no Newsletter next week because of the UK August "
                "Public Holiday. We return the following week.",
            )
        )
        return Piece("UK Public Holiday", [text], [text])

    def christmas_notice(self, day: datetime.date, back: datetime.date) -> Piece:
        """The Christmas break notice; it names the date the newsletter returns."""
        text = (
            "The Newsletter is taking a break over Christmas and the New Year. The "
            f"next issue will appear on {day_text(back, padded=False)}. Season’s "
            "greetings to all our readers."
        )
        return Piece("Christmas break", [text], [text])

    def byline(self) -> str:
        """A byline as the archive keeps it: `Elena Ríos from Puno` (or no place)."""
        name = self.rng.choice(BYLINE_NAMES)
        if self.rng.random() < 0.8:
            return f"{name} from {self.rng.choice(BYLINE_PLACES)}"
        return name

    def correction(self, paragraphs: list[str], day: datetime.date) -> list[str]:
        """The summary after a correction: a figure changed or a sentence added."""
        edited = list(paragraphs)
        figures = [
            (index, match)
            for index, text in enumerate(edited)
            for match in re.finditer(r"(?<![\d.,$])\b\d{2,3}\b(?![\d.,%])", text)
        ]
        if figures and self.rng.random() < 0.5:
            index, match = self.rng.choice(figures)
            number = int(match.group()) + self.rng.randint(1, 9)
            text = edited[index]
            edited[index] = text[: match.start()] + str(number) + text[match.end() :]
            return edited
        values = _Fill(self, day)
        sentence = self._fill(self.rng.choice(CORRECTIONS), values)
        edited[-1] = f"{edited[-1]} {_upper_first(sentence)}"
        return edited

    # -- helpers --------------------------------------------------------------

    def _body(
        self, topic: Topic, values: _Fill, summary: int, more: int
    ) -> tuple[list[str], list[str]]:
        """The summary's paragraphs, then the rest of the full text.

        Sentences are drawn without repetition from the topic, then from
        sentences that suit any topic; the full text stops when they run out.
        """
        pool = list(topic.follows)
        self.rng.shuffle(pool)
        general = list(GENERAL)
        self.rng.shuffle(general)
        pool = general + pool  # popped from the end: the topic's come first
        paragraphs = []
        for index in range(summary + more):
            sentences = [self.rng.choice(topic.leads)] if index == 0 else []
            wanted = self.rng.randint(2, 3)
            while len(sentences) < wanted and pool:
                sentences.append(pool.pop())
            if not sentences:
                break
            text = " ".join(_upper_first(self._fill(s, values)) for s in sentences)
            paragraphs.append(text)
        return paragraphs[:summary], paragraphs[summary:]

    def _finish(self, piece: Piece, day: datetime.date) -> Piece:
        """House style of the day: quotes, the odd typo, links and emphasis."""
        straight = self.rng.random() < (0.6 if day.year < 2009 else 0.25)
        if straight:
            piece.title = _straighten(piece.title)
            piece.paragraphs = [_straighten(p) for p in piece.paragraphs]
            piece.more = [_straighten(p) for p in piece.more]
            piece.caption = _straighten(piece.caption or "") or None
        if self.rng.random() < 0.04:
            piece.paragraphs = _typo(piece.paragraphs)
        piece.marks = self._marks(piece.paragraphs)
        return piece

    def _marks(self, paragraphs: list[str]) -> list[Mark]:
        """Now and then a publication in italics or an organisation linked."""
        marks = []
        for index, text in enumerate(paragraphs):
            for name in MEDIA:
                if name in text and self.rng.random() < 0.3:
                    marks.append(Mark(index, name))
                    break
            for name, href in ORGANISATIONS:
                if href and name in text and self.rng.random() < 0.2:
                    marks.append(Mark(index, name.removeprefix("the "), href))
                    break
        return marks


def _straighten(text: str) -> str:
    return text.translate({0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"'})


def _typo(paragraphs: list[str]) -> list[str]:
    """The real site's `Peruís` for `Peru's`, once."""
    for index, text in enumerate(paragraphs):
        for apostrophe in ("Peru’s", "Peru's"):
            if apostrophe in text:
                paragraphs = list(paragraphs)
                paragraphs[index] = text.replace(apostrophe, "Peruís", 1)
                return paragraphs
    return paragraphs


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]

"""The twenty real items of the two 2018 listing pages the project was given.

They anchor the mirror in the real site: their titles, date lines and
summaries are exactly as published (one summary keeps the site's non-breaking
space, which the parser folds to a plain space). The pictures and "Read more"
links are those of the project's hand-built fixtures of the same pages.
"""

from __future__ import annotations

from typing import NamedTuple


class SeedItem(NamedTuple):
    """One published item: date line and text as printed on the listing page."""

    date: str
    date_line: str
    title: str
    summary: str
    caption: str | None = None
    read_more: str | None = None


# Newest first, as the two listing pages print them.
SEED_ITEMS: tuple[SeedItem, ...] = (
    SeedItem(
        "2018-09-16",
        "16 September 2018",
        (
            "Indigenous organisations of the Amazon speak out against the Hydrocarbons "
            "bill"
        ),
        (
            "The Hydrocarbons bill now approved by Congress's Energy and Mining "
            "Commission is generating fierce opposition from Amazonian indigenous "
            "groups, and from the principal national environmental and human rights "
            "groups. The central demand is that Congress backtrack on the approval."
        ),
        read_more="Read more",
    ),
    SeedItem(
        "2018-09-16",
        "16 September 2018",
        "Apurimac women study their rights",
        (
            "A further session took place this week in the series organised by the "
            "Centro Bartolomé de las Casas and Cooperacción. The first took place in "
            "May in Cotabambas. Five workshops have now taken place in September in "
            "various districts of Cotabambas, attended by 400 women. The focus as "
            "before was the strengthening of self esteem and leadership, while much of "
            "the discussion revolved around domestic violence."
        ),
    ),
    SeedItem(
        "2018-09-09",
        "09 September 2018",
        "Women pallaqueras achieve recognition",
        (
            "In artisan small-scale gold mining, women find themselves at the bottom "
            "of the pile. So argues Solidaridad, a Netherlands-based international "
            "civil society organisation founded in 1969. The organisation played a key "
            "role in developing the Fair Trade movement."
        ),
        caption="Artisanal gold mining in Puno",
    ),
    SeedItem(
        "2018-09-09",
        "09 September 2018",
        "Chavarry digs in",
        (
            "Voices calling for the resignation of the Fiscal de la Nación, Pedro "
            "Gonzalo Chávarry, continue, but fall on deaf ears. This past week "
            "Congress has asked the Fujimorista majority to ensure the constitutional "
            "accusation against him proceeds; the evidence that he was part of the "
            "judicial corruption ring in Callao is powerful."
        ),
    ),
    SeedItem(
        "2018-09-09",
        "09 September 2018",
        "BBC highlights child poisoning in Cerro de Pasco",
        (
            "Grace Livingstone has this week published an account on the BBC’s website "
            "of the perils of children whose bloodstreams have been found to contain "
            "dangerous levels of metal poisoning in the area around Cerro de Pasco, "
            "one of Peru’s major mining centres."
        ),
    ),
    SeedItem(
        "2018-09-01",
        "01 September 2018",
        "Fresh trouble at Las Bambas",
        (
            "The government has once again declared a state of emergency along the "
            "route linking Las Bambas with the port of Matarani, giving police special "
            "powers to deal with a string of protests to have emerged over the past "
            "two weeks."
        ),
    ),
    SeedItem(
        "2018-09-01",
        "01 September 2018",
        "Further reports of illegal mining in Cenepa region",
        (
            "The Vigilante Amazónico last week reported accusations by members of the "
            "Awajún and Wampi ethnic groups that mining companies had moved in heavy "
            "equipment on rivers in their territories in the Amazonas region of "
            "northern Peru."
        ),
    ),
    SeedItem(
        "2018-08-18",
        "18 August 2018",
        "Thanks for your generosity!",
        (
            "The Peru Support Group would like to thank all of you who have so "
            "generously contributed to our crowdfunding campaign."
        ),
    ),
    SeedItem(
        "2018-08-18",
        "18 August 2018",
        "UK Public Holiday",
        (
            "The Newsletter will not be published next week because of the UK August "
            "Public Holiday."
        ),
    ),
    SeedItem(
        "2018-08-18",
        "18 August 2018",
        "BBC reports on Tintaya",
        (
            "Grace Livingstone has a useful report from Peru in which she talks to "
            "people living close to Glencore’s mine at Tintaya, Espinar in Cuzco. The "
            "tale of environmental pollution is a familiar one. In the recording, she "
            "also talks to representatives of Glencore."
        ),
        read_more="Read more »",
    ),
    SeedItem(
        "2018-07-15",
        "15 July 2018",
        "UN Human Rights Commissioner lists necessary reforms",
        (
            "Following the adoption by the UN Human Rights Council (HRC) of the "
            "Peruvian outcome document from last Universal Periodic Review at its 37th "
            "session, the High Commissioner for Human Rights\xa0has sent a letter to "
            "the Peruvian Minister of Foreign Affairs, congratulating the government "
            "on its constructive engagement with the UPR review. However, he drew "
            "attention to key areas that he considers need special attention."
        ),
    ),
    SeedItem(
        "2018-07-08",
        "08 July 2018",
        "Formal launch of the 'Responsible Mining Index'",
        (
            "The 'Responsible Mining index', an initiative sponsored by the "
            "Netherlands government. had Its formal public launch on 4 July at the "
            "Ministry of Foreign Affairs in the Hague. The speaker from 'the producing "
            "countries' was a Peruvian, Ricardo Labo Fossa, former Deputy Minister of "
            "Mining in Peru. The index covers thirty of the largest mining companies "
            "using six performance criteria."
        ),
    ),
    SeedItem(
        "2018-07-08",
        "08 July 2018",
        "Modern technology helps the environmental battle",
        (
            "The Rainforest Foundation UK (RFUK) is reporting successful use by "
            "Peruvian Amazonian communities of an app they have developed. Their "
            "'ForestLink' system can be used by remote communities to send alerts and "
            "evidence of threats, including illegal mining and oil spills, to the "
            "authorities even from areas where there is no mobile or internet "
            "connection."
        ),
        caption="ForestLink in use in Loreto",
    ),
    SeedItem(
        "2018-06-30",
        "30 June 2018",
        "PSG crowdfunding campaign",
        (
            "We need your help to keep the PSG going. If you are able, please support "
            "us through our crowdfunder appeal."
        ),
    ),
    SeedItem(
        "2018-06-30",
        "30 June 2018",
        "World Cup fever activates calls against racism",
        (
            "For the first time in 36 years Peru qualified for the world’s biggest "
            "football event, and the country went wild. A reported 40,000 Peruvians "
            "made the trip to Russia, many from Peru but also from countries all over "
            "the world."
        ),
    ),
    SeedItem(
        "2018-06-30",
        "30 June 2018",
        "Census: reading the numbers",
        (
            "The national statistics office (INEI) last week published some of the "
            "results from last year’s census. The numbers underline how Peru’s "
            "demographic profile is changing. The total population of the country is "
            "put at 31.3 million."
        ),
    ),
    SeedItem(
        "2018-06-24",
        "24 June 2018",
        "Campaign for Lima mayor gets under way",
        (
            "Last week saw the official start of the campaign, which will conclude in "
            "October, to see who replaces Luis Castañeda Lossio as mayor of Lima. No "
            "fewer than 21 candidates lined up at the starting line."
        ),
    ),
    SeedItem(
        "2018-06-24",
        "24 June 2018",
        "Teachers start new strike",
        (
            "Peru’s teachers initiated a new campaign of strikes last week, aimed to "
            "increase teachers’ pay and at forcing the government to retreat on its "
            "plans to reform the profession. In response, the government made a number "
            "of announcements designed to dissuade teachers from supporting the "
            "strike, including docking wages and threats of dismissal."
        ),
    ),
    SeedItem(
        "2018-06-17",
        "17 June 2018",
        "Law to exclude Guzman and Mendoza fails, for now",
        (
            "Legislation under discussion in the Constitutional Commission of the "
            "Peruvian Congress designed to exclude candidates from the 2021 "
            "presidential elections suffered a setback on 13 June."
        ),
    ),
    SeedItem(
        "2018-06-17",
        "17 June 2018",
        "Anglo sells part of its interest in Quellaveco to Mitsubishi",
        (
            "Anglo American announced on 14 June that it has agreed to sell 21.9% of "
            "its share in Quellaveco in the Moquegua region for US$600 million to "
            "Mitsubishi."
        ),
    ),
)

"""parse_listing on the seed pages (rebuilt as HTML) and on the quirks of SITE.md."""

import pytest
from helpers import FIXTURES

from psgscraper.parse import parse_listing
from psgscraper.parse.records import (
    BINARY,
    EMPTY_BODY,
    EMPTY_LIST,
    NO_LINK_NO_DATE,
    NO_LIST,
    NOT_HTML,
)

SITE = "http://www.perusupportgroup.org.uk"
SEED_BLOCKS = ["PSG Aims", "Historical Overview", "Human Rights", "Why join the PSG?"]

# The 20 items of ../shared/seeds, every field written out.
SEED_0 = [
    {
        "id": "article-1236",
        "url": "http://www.perusupportgroup.org.uk/article-1236.html",
        "section": "news",
        "title": (
            "Indigenous organisations of the Amazon speak out against the "
            "Hydrocarbons bill"
        ),
        "date": "2018-09-16",
        "date_precision": "day",
        "date_text": "16 September 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "The Hydrocarbons bill now approved by Congress's Energy and Mining "
            "Commission is generating fierce opposition from Amazonian indigenous "
            "groups, and from the principal national environmental and human rights "
            "groups. The central demand is that Congress backtrack on the approval."
        ),
        "image_caption": None,
        "position": 1,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1235",
        "url": "http://www.perusupportgroup.org.uk/article-1235.html",
        "section": "news",
        "title": "Apurimac women study their rights",
        "date": "2018-09-16",
        "date_precision": "day",
        "date_text": "16 September 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "A further session took place this week in the series organised by the "
            "Centro Bartolomé de las Casas and Cooperacción. The first took place "
            "in May in Cotabambas. Five workshops have now taken place in September "
            "in various districts of Cotabambas, attended by 400 women. The focus "
            "as before was the strengthening of self esteem and leadership, while "
            "much of the discussion revolved around domestic violence."
        ),
        "image_caption": None,
        "position": 2,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1234",
        "url": "http://www.perusupportgroup.org.uk/article-1234.html",
        "section": "news",
        "title": "Women pallaqueras achieve recognition",
        "date": "2018-09-09",
        "date_precision": "day",
        "date_text": "09 September 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "In artisan small-scale gold mining, women find themselves at the "
            "bottom of the pile. So argues Solidaridad, a Netherlands-based "
            "international civil society organisation founded in 1969. The "
            "organisation played a key role in developing the Fair Trade movement."
        ),
        "image_caption": "Artisanal gold mining in Puno",
        "position": 3,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1233",
        "url": "http://www.perusupportgroup.org.uk/article-1233.html",
        "section": "news",
        "title": "Chavarry digs in",
        "date": "2018-09-09",
        "date_precision": "day",
        "date_text": "09 September 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "Voices calling for the resignation of the Fiscal de la Nación, Pedro "
            "Gonzalo Chávarry, continue, but fall on deaf ears. This past week "
            "Congress has asked the Fujimorista majority to ensure the "
            "constitutional accusation against him proceeds; the evidence that he "
            "was part of the judicial corruption ring in Callao is powerful."
        ),
        "image_caption": None,
        "position": 4,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1232",
        "url": "http://www.perusupportgroup.org.uk/article-1232.html",
        "section": "news",
        "title": "BBC highlights child poisoning in Cerro de Pasco",
        "date": "2018-09-09",
        "date_precision": "day",
        "date_text": "09 September 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "Grace Livingstone has this week published an account on the BBC’s "
            "website of the perils of children whose bloodstreams have been found "
            "to contain dangerous levels of metal poisoning in the area around "
            "Cerro de Pasco, one of Peru’s major mining centres."
        ),
        "image_caption": None,
        "position": 5,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1231",
        "url": "http://www.perusupportgroup.org.uk/article-1231.html",
        "section": "news",
        "title": "Fresh trouble at Las Bambas",
        "date": "2018-09-01",
        "date_precision": "day",
        "date_text": "01 September 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "The government has once again declared a state of emergency along the "
            "route linking Las Bambas with the port of Matarani, giving police "
            "special powers to deal with a string of protests to have emerged over "
            "the past two weeks."
        ),
        "image_caption": None,
        "position": 6,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1230",
        "url": "http://www.perusupportgroup.org.uk/article-1230.html",
        "section": "news",
        "title": "Further reports of illegal mining in Cenepa region",
        "date": "2018-09-01",
        "date_precision": "day",
        "date_text": "01 September 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "The Vigilante Amazónico last week reported accusations by members of "
            "the Awajún and Wampi ethnic groups that mining companies had moved in "
            "heavy equipment on rivers in their territories in the Amazonas region "
            "of northern Peru."
        ),
        "image_caption": None,
        "position": 7,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1229",
        "url": "http://www.perusupportgroup.org.uk/article-1229.html",
        "section": "news",
        "title": "Thanks for your generosity!",
        "date": "2018-08-18",
        "date_precision": "day",
        "date_text": "18 August 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "The Peru Support Group would like to thank all of you who have so "
            "generously contributed to our crowdfunding campaign."
        ),
        "image_caption": None,
        "position": 8,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1228",
        "url": "http://www.perusupportgroup.org.uk/article-1228.html",
        "section": "news",
        "title": "UK Public Holiday",
        "date": "2018-08-18",
        "date_precision": "day",
        "date_text": "18 August 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "The Newsletter will not be published next week because of the UK "
            "August Public Holiday."
        ),
        "image_caption": None,
        "position": 9,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
    {
        "id": "article-1227",
        "url": "http://www.perusupportgroup.org.uk/article-1227.html",
        "section": "news",
        "title": "BBC reports on Tintaya",
        "date": "2018-08-18",
        "date_precision": "day",
        "date_text": "18 August 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "Grace Livingstone has a useful report from Peru in which she talks to "
            "people living close to Glencore’s mine at Tintaya, Espinar in Cuzco. "
            "The tale of environmental pollution is a familiar one. In the "
            "recording, she also talks to representatives of Glencore."
        ),
        "image_caption": None,
        "position": 10,
        "page_url": "http://www.perusupportgroup.org.uk/news.php",
    },
]
SEED_1 = [
    {
        "id": "article-1216",
        "url": "http://www.perusupportgroup.org.uk/article-1216.html",
        "section": "news",
        "title": "UN Human Rights Commissioner lists necessary reforms",
        "date": "2018-07-15",
        "date_precision": "day",
        "date_text": "15 July 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "Following the adoption by the UN Human Rights Council (HRC) of the "
            "Peruvian outcome document from last Universal Periodic Review at its "
            "37th session, the High Commissioner for Human Rights has sent a letter "
            "to the Peruvian Minister of Foreign Affairs, congratulating the "
            "government on its constructive engagement with the UPR review. "
            "However, he drew attention to key areas that he considers need special "
            "attention."
        ),
        "image_caption": None,
        "position": 1,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1215",
        "url": "http://www.perusupportgroup.org.uk/article-1215.html",
        "section": "news",
        "title": "Formal launch of the 'Responsible Mining Index'",
        "date": "2018-07-08",
        "date_precision": "day",
        "date_text": "08 July 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "The 'Responsible Mining index', an initiative sponsored by the "
            "Netherlands government. had Its formal public launch on 4 July at the "
            "Ministry of Foreign Affairs in the Hague. The speaker from 'the "
            "producing countries' was a Peruvian, Ricardo Labo Fossa, former Deputy "
            "Minister of Mining in Peru. The index covers thirty of the largest "
            "mining companies using six performance criteria."
        ),
        "image_caption": None,
        "position": 2,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1214",
        "url": "http://www.perusupportgroup.org.uk/article-1214.html",
        "section": "news",
        "title": "Modern technology helps the environmental battle",
        "date": "2018-07-08",
        "date_precision": "day",
        "date_text": "08 July 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "The Rainforest Foundation UK (RFUK) is reporting successful use by "
            "Peruvian Amazonian communities of an app they have developed. Their "
            "'ForestLink' system can be used by remote communities to send alerts "
            "and evidence of threats, including illegal mining and oil spills, to "
            "the authorities even from areas where there is no mobile or internet "
            "connection."
        ),
        "image_caption": "ForestLink in use in Loreto",
        "position": 3,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1213",
        "url": "http://www.perusupportgroup.org.uk/article-1213.html",
        "section": "news",
        "title": "PSG crowdfunding campaign",
        "date": "2018-06-30",
        "date_precision": "day",
        "date_text": "30 June 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "We need your help to keep the PSG going. If you are able, please "
            "support us through our crowdfunder appeal."
        ),
        "image_caption": None,
        "position": 4,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1212",
        "url": "http://www.perusupportgroup.org.uk/article-1212.html",
        "section": "news",
        "title": "World Cup fever activates calls against racism",
        "date": "2018-06-30",
        "date_precision": "day",
        "date_text": "30 June 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "For the first time in 36 years Peru qualified for the world’s biggest "
            "football event, and the country went wild. A reported 40,000 Peruvians "
            "made the trip to Russia, many from Peru but also from countries all "
            "over the world."
        ),
        "image_caption": None,
        "position": 5,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1211",
        "url": "http://www.perusupportgroup.org.uk/article-1211.html",
        "section": "news",
        "title": "Census: reading the numbers",
        "date": "2018-06-30",
        "date_precision": "day",
        "date_text": "30 June 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "The national statistics office (INEI) last week published some of the "
            "results from last year’s census. The numbers underline how Peru’s "
            "demographic profile is changing. The total population of the country "
            "is put at 31.3 million."
        ),
        "image_caption": None,
        "position": 6,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1210",
        "url": "http://www.perusupportgroup.org.uk/article-1210.html",
        "section": "news",
        "title": "Campaign for Lima mayor gets under way",
        "date": "2018-06-24",
        "date_precision": "day",
        "date_text": "24 June 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "Last week saw the official start of the campaign, which will conclude "
            "in October, to see who replaces Luis Castañeda Lossio as mayor of "
            "Lima. No fewer than 21 candidates lined up at the starting line."
        ),
        "image_caption": None,
        "position": 7,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1209",
        "url": "http://www.perusupportgroup.org.uk/article-1209.html",
        "section": "news",
        "title": "Teachers start new strike",
        "date": "2018-06-24",
        "date_precision": "day",
        "date_text": "24 June 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "Peru’s teachers initiated a new campaign of strikes last week, aimed "
            "to increase teachers’ pay and at forcing the government to retreat on "
            "its plans to reform the profession. In response, the government made a "
            "number of announcements designed to dissuade teachers from supporting "
            "the strike, including docking wages and threats of dismissal."
        ),
        "image_caption": None,
        "position": 8,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1208",
        "url": "http://www.perusupportgroup.org.uk/article-1208.html",
        "section": "news",
        "title": "Law to exclude Guzman and Mendoza fails, for now",
        "date": "2018-06-17",
        "date_precision": "day",
        "date_text": "17 June 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "Legislation under discussion in the Constitutional Commission of the "
            "Peruvian Congress designed to exclude candidates from the 2021 "
            "presidential elections suffered a setback on 13 June."
        ),
        "image_caption": None,
        "position": 9,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
    {
        "id": "article-1207",
        "url": "http://www.perusupportgroup.org.uk/article-1207.html",
        "section": "news",
        "title": "Anglo sells part of its interest in Quellaveco to Mitsubishi",
        "date": "2018-06-17",
        "date_precision": "day",
        "date_text": "17 June 2018",
        "update_number": None,
        "byline": None,
        "summary": (
            "Anglo American announced on 14 June that it has agreed to sell 21.9% "
            "of its share in Quellaveco in the Moquegua region for US$600 million "
            "to Mitsubishi."
        ),
        "image_caption": None,
        "position": 10,
        "page_url": "http://www.perusupportgroup.org.uk/news.php?position=20",
    },
]


def parse_fixture(name, url, content_type=None):
    return parse_listing((FIXTURES / name).read_bytes(), url, content_type=content_type)


@pytest.mark.parametrize(
    ("fixture", "url", "content_type", "expected"),
    [
        ("seed-news-0.html", f"{SITE}/news.php", "text/html; charset=utf-8", SEED_0),
        (
            "seed-news-20.html",
            f"{SITE}/news.php?position=20",
            "text/html; charset=iso-8859-1",
            SEED_1,
        ),
    ],
)
def test_seed_page_gives_its_ten_items_and_none_of_its_blocks(
    fixture, url, content_type, expected
):
    listing = parse_fixture(fixture, url, content_type)
    assert [item.as_dict() for item in listing.items] == expected
    assert [block.title for block in listing.set_aside] == SEED_BLOCKS
    assert {block.reason for block in listing.set_aside} == {NO_LINK_NO_DATE}
    assert listing.reason is None
    assert listing.unreadable_dates == ()


def test_seed_pages_pagination():
    first = parse_fixture("seed-news-0.html", f"{SITE}/news.php")
    third = parse_fixture("seed-news-20.html", f"{SITE}/news.php?position=20")
    assert (first.newer, first.older) == (None, f"{SITE}/news.php?position=10")
    assert (third.newer, third.older) == (
        f"{SITE}/news.php?position=10",
        f"{SITE}/news.php?position=30",
    )
    assert third.last == f"{SITE}/news.php?position=30"  # page 4, the highest


@pytest.mark.parametrize(
    ("pagination", "last"),
    [
        ('<strong>1</strong> <a href="news.php?position=10">2</a> ... '
         '<a href="news.php?position=1110">112</a> '
         '<a href="news.php?position=10">Older &raquo;</a>',
         "news.php?position=1110"),
        ('<a href="news.php?position=10">&laquo; Newer</a> '
         '<a href="news.php?position=30">Older &raquo;</a>', None),
        ('<a href="news.php?position=1090">110</a> '
         '<a href="news.php?position=1100">111</a> <strong>112</strong>',
         "news.php?position=1100"),
    ],
    ids=["shows the last page", "no page numbers", "on the last page"],
)  # fmt: skip
def test_the_last_page_the_pagination_links_to(pagination, last):
    page = (
        '<html><body><div id="main"><h1>News</h1><ul class="list"><li>'
        '<h3><a href="article-1.html">A</a></h3><p class="date">1 May 2010</p>'
        f'<p>Text.</p></li></ul><div class="pagination">{pagination}</div>'
        "</div></body></html>"
    )
    listing = parse_listing(page, f"{SITE}/news.php?position=20")
    assert listing.last == (f"{SITE}/{last}" if last else None)


def test_page_numbers_outside_a_pagination_block_are_not_the_last_page():
    page = (
        '<html><body><div id="main"><h1>News</h1><ul class="list"><li>'
        '<h3><a href="article-1.html">A</a></h3><p class="date">1 May 2010</p>'
        '<p>See <a href="news.php?position=500">51</a>.</p></li></ul>'
        "</div></body></html>"
    )
    assert parse_listing(page, f"{SITE}/news.php").last is None


@pytest.mark.parametrize(
    "content_type", ["text/html; charset=iso-8859-1", "text/html", None]
)
def test_windows_1252_page_labelled_iso_8859_1_keeps_curly_quotes(content_type):
    listing = parse_fixture("seed-news-20.html", f"{SITE}/news.php", content_type)
    by_id = {item.id: item for item in listing.items}
    assert "the world\u2019s biggest football event" in by_id["article-1212"].summary
    assert "Luis Castañeda Lossio" in by_id["article-1210"].summary


def test_text_body_is_taken_as_decoded():
    body = (FIXTURES / "seed-news-0.html").read_text(encoding="utf-8")
    listing = parse_listing(body, f"{SITE}/news.php")
    assert [item.id for item in listing.items][:2] == ["article-1236", "article-1235"]


def test_home_page_layout_with_the_date_before_the_title():
    listing = parse_fixture("home.html", f"{SITE}/")
    assert listing.section == "home"
    assert [item.as_dict() for item in listing.items] == [
        {
            "id": "article-1236",
            "url": f"{SITE}/article-1236.html",
            "section": "home",
            "title": "Indigenous organisations of the Amazon speak out against "
            "the Hydrocarbons bill",
            "date": "2018-09-16",
            "date_precision": "day",
            "date_text": "16 September 2018",
            "update_number": None,
            "byline": None,
            "summary": "The Hydrocarbons bill now approved by Congress's Energy "
            "and Mining Commission is generating fierce opposition.",
            "image_caption": None,
            "position": 1,
            "page_url": f"{SITE}/",
        },
        {
            "id": "article-1235",
            "url": f"{SITE}/article-1235.html",
            "section": "home",
            "title": "Apurimac women study their rights",
            "date": "2018-09-16",
            "date_precision": "day",
            "date_text": "16 September 2018",
            "update_number": None,
            "byline": None,
            "summary": "A further session took place this week.",
            "image_caption": None,
            "position": 2,
            "page_url": f"{SITE}/",
        },
        {
            "id": "article-1234",
            "url": f"{SITE}/article-1234.html",
            "section": "home",
            "title": "Women pallaqueras achieve recognition",
            "date": "2018-09-09",
            "date_precision": "day",
            "date_text": "09 September 2018",
            "update_number": None,
            "byline": None,
            "summary": "In artisan small-scale gold mining, women find themselves "
            "at the bottom of the pile.",
            "image_caption": None,
            "position": 3,
            "page_url": f"{SITE}/",
        },
    ]
    assert listing.set_aside == ()


def test_home_page_is_recognised_by_its_layout_without_a_telling_url():
    listing = parse_fixture("home.html", "file:///saved/page.html")
    assert listing.section == "home"
    assert len(listing.items) == 3


@pytest.fixture(scope="module")
def quirks():
    listing = parse_fixture("articles-quirks.html", f"{SITE}/articles.php?position=380")
    return listing, {item.title: item for item in listing.items}


def test_picture_caption_byline_paragraphs_and_read_more(quirks):
    _, by_title = quirks
    item = by_title["Conga: the view from Celendín"]
    assert item.image_caption == "Campesinos march against the Conga project"
    assert item.byline == "Martin Scurrah from Lima"
    assert item.summary == (
        "The first paragraph, spread over two lines.\n\n"
        "A second paragraph with an & entity."
    )
    assert item.update_number == 106
    assert (item.date, item.date_precision) == ("2004-11-30", "day")
    assert item.position == 1


def test_two_line_breaks_split_a_paragraph_and_one_does_not(quirks):
    _, by_title = quirks
    assert by_title["Editorial: water before gold"].summary == (
        "Para one of an editorial.\n\nPara two, after two line breaks. Same para."
    )


def test_absolute_and_web_archive_detail_links(quirks):
    listing, by_title = quirks
    editorial = by_title["Editorial: water before gold"]
    assert editorial.id == "article-639"
    assert editorial.url == f"{SITE}/article-639.html"
    archived = next(item for item in listing.items if item.id == "article-1220")
    assert archived.url == f"{SITE}/article-1220.html"
    assert (archived.date, archived.date_precision) == ("2009-04", "month")
    assert archived.update_number == 133


def test_linkless_item_and_a_recurring_title_give_two_records(quirks):
    listing, _ = quirks
    letters = [item for item in listing.items if item.title == "Letter from Puno"]
    assert [item.date for item in letters] == ["2009-04", "2009-06"]
    linkless = letters[1]
    assert linkless.url is None
    assert linkless.id.startswith("articles-")
    assert linkless.id != letters[0].id


def test_linkless_id_is_stable_and_follows_title_and_date_line():
    page = """<html><body><div id="main"><ul class="list">
      <li><h3>{title}</h3><p class="date">{date}</p><p>Text.</p></li>
    </ul></div></body></html>"""

    def linkless_id(title, date, url=f"{SITE}/articles.php"):
        return parse_listing(page.format(title=title, date=date), url).items[0].id

    first = linkless_id("Letter from Puno", "Update 134. June / July 2009")
    assert first == linkless_id("Letter  from PUNO", "Update 134.  June / July 2009")
    assert first != linkless_id("Letter from Puno", "Update 135. August 2009")
    assert first != linkless_id("Letter from Lima", "Update 134. June / July 2009")
    assert first != linkless_id(
        "Letter from Puno", "Update 134. June / July 2009", f"{SITE}/news.php"
    )


def test_placeholder_and_impossible_dates_keep_the_printed_line(quirks):
    listing, by_title = quirks
    bagua = by_title["PSG statement on the Bagua killings"]
    assert (bagua.date, bagua.date_precision, bagua.date_text) == (
        None,
        None,
        "31 December 1969",
    )
    canon = by_title["Mining canon figures"]
    assert (canon.date, canon.date_text) == (None, "31 February 2004")
    assert listing.unreadable_dates == ("31 February 2004",)


def test_text_is_kept_as_published(quirks):
    _, by_title = quirks
    cabinet = by_title["Peruís new cabinet"]
    assert cabinet.date == "2017-04-10"
    assert cabinet.date_text == ". 10 April 2017"


def test_notice_with_a_link_and_a_date_in_its_text_is_set_aside(quirks):
    listing, by_title = quirks
    assert "PSG Annual Conference" not in by_title
    assert [(block.title, block.reason) for block in listing.set_aside] == [
        ("PSG Annual Conference", NO_LINK_NO_DATE)
    ]
    assert "12 May 2018" in listing.set_aside[0].text


def test_positions_count_items_only(quirks):
    listing, _ = quirks
    assert [item.position for item in listing.items] == list(range(1, 8))


def test_page_past_the_end_is_an_empty_list():
    listing = parse_fixture("news-past-end.html", f"{SITE}/news.php?position=99999")
    assert listing.items == ()
    assert listing.reason == EMPTY_LIST
    assert listing.older is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", EMPTY_BODY),
        (b"   \r\n\t ", EMPTY_BODY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", BINARY),
        (bytes(range(256)) * 4, BINARY),
        (b"Just some words, no markup at all.", NOT_HTML),
        (b'{"items": []}', NOT_HTML),
        (b"<html><body><p>Hello</p></body></html>", NO_LIST),
        (b"<html><body><div id='main'><h1>News</h1></div></body></html>", NO_LIST),
    ],
)
def test_what_is_not_a_listing_gives_no_items_and_a_reason(body, reason):
    listing = parse_listing(body, f"{SITE}/news.php")
    assert listing.items == ()
    assert listing.reason == reason


def test_changed_layout_without_headings_is_no_list():
    body = b"""<html><body><div id="main"><h1>News</h1>
      <div class="story"><span class="headline"><a href="article-5.html">A</a></span>
      <span class="when">1 April 2019</span></div></div></body></html>"""
    assert parse_listing(body, f"{SITE}/news.php").reason == NO_LIST


def test_items_laid_out_side_by_side_without_list_items():
    body = """<html><body><div id="main"><h1>News</h1><div class="list">
      <h3><a href="article-2.html">Second</a></h3><p class="date">8 April 2019</p>
      <p>Two.</p>
      <h3><a href="article-1.html">First</a></h3><p class="date">1 April 2019</p>
      <p>One.</p><p><a href="article-1.html">Read more</a></p>
    </div></div></body></html>"""
    listing = parse_listing(body, f"{SITE}/news.php")
    assert [(i.id, i.date, i.summary) for i in listing.items] == [
        ("article-2", "2019-04-08", "Two."),
        ("article-1", "2019-04-01", "One."),
    ]


def test_a_link_inside_the_summary_is_not_the_detail_link():
    body = """<html><body><div id="main"><ul class="list"><li>
      <h3>Follow-up on Conga</h3><p class="date">1 April 2019</p>
      <p>See <a href="article-640.html">our earlier report</a>.</p>
    </li></ul></div></body></html>"""
    (item,) = parse_listing(body, f"{SITE}/news.php").items
    assert item.url is None
    assert item.id.startswith("news-")
    assert item.summary == "See our earlier report."


def test_scripts_comments_and_markup_never_reach_the_text():
    body = """<html><body><div id="main"><ul class="list"><li>
      <h3><a href="article-3.html">A &lt;b&gt; title</a></h3>
      <p class="date">1 April 2019</p>
      <p>Text<!-- a comment --> and <script>alert(1)</script>more &amp; more.</p>
    </li></ul></div></body></html>"""
    (item,) = parse_listing(body, f"{SITE}/news.php").items
    assert item.title == "A <b> title"
    assert item.summary == "Text and more & more."


def test_a_line_break_in_a_title_is_a_space():
    body = """<html><body><div id="main"><ul class="list"><li>
      <h3><a href="article-4.html">Letter from<br>Puno</a></h3>
      <p class="date">1 April 2019</p><p>Text.</p>
    </li></ul></div></body></html>"""
    (item,) = parse_listing(body, f"{SITE}/news.php").items
    assert item.title == "Letter from Puno"

"""Pure functions from a page's HTML to the archive's records; no Scrapy here."""

from .boilerplate import BoilerplateDetector, fingerprint
from .dates import DateLine, parse_date_line
from .item_page import ItemPage, parse_item_page
from .links import item_id_from_url, section_from_url, strip_archive_prefix
from .listing import parse_listing
from .records import RECORD_FIELDS, Listing, Record, SetAside

__all__ = [
    "RECORD_FIELDS",
    "BoilerplateDetector",
    "DateLine",
    "ItemPage",
    "Listing",
    "Record",
    "SetAside",
    "fingerprint",
    "item_id_from_url",
    "parse_date_line",
    "parse_item_page",
    "parse_listing",
    "section_from_url",
    "strip_archive_prefix",
]

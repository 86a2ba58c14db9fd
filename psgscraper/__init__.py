"""psgscraper: the Peru Support Group's weekly newsletter, crawled and published."""

__version__ = "0.1.0"

# How the crawl and `psg parse` name themselves to a host.
USER_AGENT = f"psgscraper/{__version__} (Peru Support Group newsletter archive)"

"""psgscraper: the Peru Support Group's weekly newsletter, crawled and published."""

__version__ = "0.1.0"

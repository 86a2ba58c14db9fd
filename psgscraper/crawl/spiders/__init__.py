"""Scrapy spiders: crawling only; parsing lives in psgscraper.parse."""

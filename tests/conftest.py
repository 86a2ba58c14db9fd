"""Shared fixtures: the offline mirror, built once a session, and a crawl of it.

The helpers they use (and the tests share) are in helpers.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import Crawled, crawl, serving

from psgmirror.site.build import build_mirror


@pytest.fixture(scope="session")
def mirror_week0(tmp_path_factory) -> Path:
    """The default mirror: about 1,600 items, 2003 to 2019."""
    directory = tmp_path_factory.mktemp("mirror-week0")
    build_mirror(directory)
    return directory


@pytest.fixture(scope="session")
def mirror_week1(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("mirror-week1")
    build_mirror(directory, week=1)
    return directory


@pytest.fixture(scope="session")
def crawled_week0(tmp_path_factory, mirror_week0) -> Crawled:
    """A full crawl of the default mirror."""
    db = tmp_path_factory.mktemp("crawl-week0") / "psg.db"
    with serving(mirror_week0) as server:
        result = crawl(server, db)
        requests = list(server.requests)
    assert result.returncode == 0, result.stderr
    return Crawled(db, server.url, result, requests)


@pytest.fixture(scope="session")
def crawled_weeks(tmp_path_factory, crawled_week0, mirror_week1) -> Path:
    """The week-0 archive with week 1 crawled into it incrementally (some
    items new, some edited between the weeks). Copy it before changing it."""
    db = tmp_path_factory.mktemp("crawl-weeks") / "psg.db"
    shutil.copy(crawled_week0.db, db)
    with serving(mirror_week1) as server:
        result = crawl(server, db, "--incremental")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def archive_copy(tmp_path, crawled_week0) -> Path:
    """A private copy of the week-0 archive, to crawl into."""
    db = tmp_path / "psg.db"
    shutil.copy(crawled_week0.db, db)
    return db

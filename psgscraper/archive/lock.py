"""One crawl at a time: the crawl lock on an archive, and what it says.

`CrawlLock` is held for a crawl's whole run; `crawl_in_progress` asks whether
one is; the messages name the crawl that holds the lock, or held it last.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import suppress
from pathlib import Path

from .schema import ArchiveError, utc_now


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class CrawlRunning(ArchiveError):
    """Another crawl holds the archive; the message names it."""


class CrawlLock:
    """One crawl at a time: an exclusive lock on the archive's `PATH.lock`.

    The kernel holds the lock (flock) for as long as the crawling process
    lives, so a crawl killed outright leaves none behind: the next crawl takes
    it over at once, and `stale` then says who held it last. The file names
    its holder (`pid`, `crawl`, `started`), so that a second crawl refused
    with CrawlRunning can say which crawl is running.
    """

    def __init__(self, db_path: str | os.PathLike) -> None:
        self.db_path = Path(db_path)
        self.path = _lock_path(self.db_path)
        self.fd: int | None = None
        self.stale: dict[str, str] = {}

    def __enter__(self) -> CrawlLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ArchiveError(f"cannot lock {self.path}: {error.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise CrawlRunning(_running_message(self.db_path, holder)) from None
        self.fd = fd
        _HELD_LOCKS.add(fd)
        self.stale = _read_holder(fd)
        self.name_crawl(None)
        return self

    def name_crawl(self, crawl_id: int | None) -> None:
        """Write this process and its crawl into the lock file."""
        holder = {"pid": str(os.getpid()), "started": utc_now()}
        if crawl_id is not None:
            holder["crawl"] = str(crawl_id)
        text = "".join(f"{name}={value}\n" for name, value in holder.items())
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, text.encode(), 0)

    def __exit__(self, *exc_info) -> None:
        _HELD_LOCKS.discard(self.fd)
        os.ftruncate(self.fd, 0)  # nobody holds it
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None


def _read_holder(fd: int) -> dict[str, str]:
    text = os.pread(fd, 4096, 0).decode("utf-8", errors="replace")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _running_message(db_path: Path, holder: dict[str, str]) -> str:
    since = f" ({_process(holder)})" if holder else ""
    return f"{_crawl(holder)} is running on {db_path}{since}; not started"


def took_over_message(holder: dict[str, str]) -> str:
    """What a crawl says when it took over a dead crawl's lock (`stale`)."""
    return (
        f"{_crawl(holder)} ({_process(holder)}) ended without letting go of the "
        "archive's lock: taken over, and that crawl marked interrupted"
    )


def _crawl(holder: dict[str, str]) -> str:
    return f"crawl {holder['crawl']}" if "crawl" in holder else "a crawl"


def _process(holder: dict[str, str]) -> str:
    return f"process {holder.get('pid', '?')} since {holder.get('started', '?')}"


# The crawl locks this process holds (their file descriptors). A process forked
# during a crawl (the parser) would share the lock and keep it held after the
# crawler died; so it lets go of its copy at once, and the lock ends with the
# crawler.
_HELD_LOCKS: set[int] = set()


def _let_go_of_inherited_locks() -> None:
    for fd in _HELD_LOCKS:
        with suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_let_go_of_inherited_locks)


def crawl_in_progress(path: str | os.PathLike) -> bool:
    """True while a crawl holds the archive's lock."""
    lock_path = _lock_path(Path(path))
    if not lock_path.exists():
        return False
    with open(lock_path) as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False

"""What every benchmark shares: repeated runs, child processes, the report.

A figure is the median of at least five runs after a warm-up, given with its
minimum and maximum; where there is a baseline, it is measured in the same
run, interleaved with ours, so that a noisy machine slows both alike.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

RUNS = 5
ROOT = Path(__file__).resolve().parent.parent
PSG = [sys.executable, "-m", "psgscraper"]


@dataclass
class Stats:
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, unit: str, digits: int = 1) -> str:
        lo, hi = min(self.values), max(self.values)
        return f"{self.median:,.{digits}f} {unit} ({lo:,.{digits}f}–{hi:,.{digits}f})"


@dataclass
class Figure:
    """One row of the report."""

    name: str
    ours: str
    baseline: str = ""
    ratio: str = ""
    goal: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)


def repeat(task: Callable[[], float], runs: int = RUNS) -> Stats:
    """Run `task` once to warm up, then `runs` times; it returns its figure."""
    task()
    return Stats([task() for _ in range(runs)])


def repeat_pair(
    ours: Callable[[], float], baseline: Callable[[], float], runs: int = RUNS
) -> tuple[Stats, Stats]:
    """Ours and the baseline, alternately, after one warm-up of each."""
    ours()
    baseline()
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(ours())
        theirs.append(baseline())
    return Stats(mine), Stats(theirs)


@dataclass
class Process:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_process(command: list[str], cwd: Path | None = None) -> Process:
    """Run a command; its wall time and peak resident memory.

    The memory is the largest sum, sampled every 100 ms, of the resident sets
    of the process and its children (psg crawl parses in a child process),
    and never less than the process's own peak as the kernel counts it.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        sampled = [0.0]
        sampler = threading.Thread(target=_sample_rss, args=(child.pid, sampled))
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak = max(usage.ru_maxrss / 1024, sampled[0])
        return Process(seconds, peak, child.returncode, out.read(), err.read())


def _sample_rss(pid: int, peak: list[float]) -> None:
    while True:
        try:
            pids = [pid, *_children(pid)]
            total = sum(_rss_mb(each) for each in pids)
        except OSError:
            return  # the process has ended
        peak[0] = max(peak[0], total)
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    """Children started by the main thread (the parser process is one)."""
    return [
        int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise OSError(f"no VmRSS for {pid}")  # a zombie: the process has ended


def checked(process: Process, what: str) -> Process:
    if process.returncode != 0:
        raise SystemExit(f"{what} failed ({process.returncode}):\n{process.stderr}")
    return process


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def machine() -> list[str]:
    packages = [
        "scrapy", "beautifulsoup4", "lxml", "dateparser", "sqlite-utils",
        "datasette", "datasette-dashboards", "twisted", "requests",
    ]  # fmt: skip
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in packages)
    import sqlite3

    return [
        f"- CPU: {_cpu_model()}, {os.cpu_count()} cores",
        f"- {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        f"- {versions}",
    ]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def write_report(path: Path, figures: list[Figure], seconds: float) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand. Each figure",
        f"is the median of {RUNS} runs after a warm-up, with (minimum–maximum);",
        "ours and the baseline are measured in the same run, interleaved.",
        "",
        "| figure | ours | baseline | ratio | goal | met? |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for figure in figures:
        met = {True: "yes", False: "**no**", None: ""}[figure.met]
        lines.append(
            f"| {figure.name} | {figure.ours} | {figure.baseline} | "
            f"{figure.ratio} | {figure.goal} | {met} |"
        )
    notes = [(f.name, note) for f in figures for note in f.notes]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- **{name}**: {note}" for name, note in notes]
    lines += [
        "",
        "## Profiling",
        "",
        "A stage that misses its goal is profiled with pyinstrument, e.g. the crawl:",
        "",
        "    .venv/bin/psg mirror serve /tmp/mirror --port 8000 --latency 50 &",
        "    .venv/bin/pyinstrument -m psgscraper crawl --base-url "
        "http://127.0.0.1:8000/ --db /tmp/p.db --delay 0",
    ]
    lines += ["", "## Machine", "", *machine()]
    lines += ["", f"The whole run took {seconds / 60:.1f} minutes.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")

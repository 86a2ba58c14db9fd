"""`make bench`: every benchmark, then BENCHMARKS.md rewritten."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import abuse
import crawl
import parse
import scale
import warc
import wayback
from common import ROOT, write_report

from psgmirror.site.build import build_mirror


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="psg-bench-") as scratch:
        work = Path(scratch)
        mirror, week1 = work / "mirror", work / "mirror-week1"
        build_mirror(mirror)
        build_mirror(week1, week=1)
        figures = []
        for title, section in [
            ("parse", lambda: parse.run(mirror)),
            ("crawl", lambda: crawl.speed_and_memory(mirror, work)),
            ("requests", lambda: crawl.requests_and_recrawl(mirror, week1, work)),
            ("warc", lambda: warc.run(mirror, work)),
            ("scale", lambda: scale.run(work)),
            ("wayback", lambda: wayback.run(work)),
            ("abuse", lambda: abuse.run(mirror, work)),
        ]:
            print(f"bench: {title} ...", file=sys.stderr, flush=True)
            figures += section()
            for figure in figures[-6:]:
                print(f"  {figure.name}: {figure.ours}", file=sys.stderr)
    seconds = time.perf_counter() - started
    write_report(ROOT / "BENCHMARKS.md", figures, seconds)
    print(f"bench: wrote BENCHMARKS.md in {seconds / 60:.1f} minutes", file=sys.stderr)


if __name__ == "__main__":
    main()

"""`build_wayback`: the captures of `weeks` weeks written to a directory, with
their answer key.

    DIR/captures/DIGEST     the payloads, one file per distinct content
    DIR/index.json          the captures, in CDX order (urlkey, timestamp)
    DIR/expected.json       per item id, the week and capture time it first showed

Which captures there are is `wayback.plan`'s; their bytes are `wayback.render`'s.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

from .plan import Capture, plan_weeks, urlkey
from .render import capture_body


def build_wayback(
    directory: str | Path, weeks: int = 30, items: int = 1600, seed: int = 0
) -> dict:
    """Write `weeks` weeks of captures to `directory`; returns a summary.

    Replaces a previous build there.
    """
    directory = Path(directory)
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "captures").mkdir(parents=True)
    index: list[dict] = []
    first_seen: dict[str, dict] = {}  # per item: the week and capture first showing it
    for archived in plan_weeks(weeks, items, seed):
        for capture in archived.captures:
            body = capture_body(capture, archived.site, seed)
            index.append(_write_capture(directory, capture, body))
            for item in capture.shows:
                first_seen.setdefault(
                    item.id, {"week": capture.week, "captured": capture.archived_at}
                )
    index.sort(key=lambda row: (row["urlkey"], row["timestamp"]))
    (directory / "index.json").write_text(json.dumps(index, indent=0) + "\n")
    (directory / "expected.json").write_text(json.dumps(first_seen, indent=0) + "\n")
    return {
        "weeks": weeks,
        "captures": len(index),
        "items": len(first_seen),
        "digests": len({row["digest"] for row in index}),
    }


def _write_capture(directory: Path, capture: Capture, body: bytes) -> dict:
    """Keep the capture's bytes under their digest; its row of the index."""
    digest = base64.b32encode(hashlib.sha1(body).digest()).decode()
    (directory / "captures" / digest).write_bytes(body)
    row = {
        "timestamp": capture.timestamp,
        "original": capture.original,
        "mimetype": capture.mimetype,
        "statuscode": str(capture.status),
        "digest": digest,
        "length": str(len(body)),
    }
    if capture.location:
        row["location"] = capture.location
    row["urlkey"] = urlkey(capture.original)
    return row

"""An offline mirror of the Peru Support Group's old site, for demos, tests and
benchmarks: `build_mirror` writes the site to a directory and `MirrorServer`
answers for it on 127.0.0.1 as the PHP site did.
"""

from .build import build_mirror
from .serve import MirrorServer

__all__ = ["MirrorServer", "build_mirror"]

"""The site as the Wayback Machine holds it, emulated: plan, render, serve.

- `plan.py`: which captures the archive holds, week by week, and the odd ones
  a real archive has (`ODD_CAPTURES`), as data;
- `render.py`: each capture's bytes;
- `build.py`: the captures written to a directory, with their answer key;
- `serve.py`: a built directory answered as the CDX server and replay.
"""

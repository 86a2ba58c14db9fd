"""The old PHP site, emulated: plan, render, serve.

- `plan.py`: the site as data, every item with its quirks, before any HTML
  (its words from `content.py`, its date lines from `dating.py`, the twenty
  real items from `seeds.py`);
- `render.py`: the HTML of each page, in the markup of its era (with the
  boilerplate blocks of `blocks.py`);
- `build.py`: the whole site written to a directory, with its answer key;
- `serve.py`: a built site answered on 127.0.0.1, as the PHP site did.
"""

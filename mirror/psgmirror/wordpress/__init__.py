"""The site as WordPress serves it now, emulated: plan, render, serve.

- `plan.py`: the posts, made from the site's model, and their answer key;
- `render.py`: the REST API's JSON objects and the pages, as WordPress
  renders them;
- `serve.py`: the posts answered on 127.0.0.1, the API's routes, parameters,
  headers and errors.

Served from memory: there is nothing to build.
"""

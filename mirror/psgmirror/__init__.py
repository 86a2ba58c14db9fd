"""An offline mirror of the Peru Support Group's site, for demos, tests and
benchmarks: the old PHP site, the Wayback Machine's captures of it and the
WordPress site that followed, each emulated on 127.0.0.1 as

    plan     what there is, as data (items, captures, posts)
    render   its bytes (HTML, JSON)
    serve    the answers over HTTP
    build    for the site and the captures: written to a directory

in `site/`, `wayback/` and `wordpress/`; `rules.py` holds what the answer keys
need of SITE.md's rules, `loopback.py` the servers' shared HTTP plumbing and
`cli.py` the `psgmirror` command (also `psg mirror`).

A package of its own, beside psgscraper and not in its wheel: the mirror is a
test and demo double, not the product. From the product it takes only
`psgscraper.site` (the site's hosts, sections and the Wayback Machine's URLs).

Nothing is imported here: every `psg` command loads the mirror's command line,
and only the commands that render the site load the rendering.
"""

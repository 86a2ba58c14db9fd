"""An offline mirror of the Peru Support Group's old site, for demos, tests and
benchmarks: `site.build.build_mirror` writes the site to a directory and
`site.serve.MirrorServer` answers for it on 127.0.0.1 as the PHP site did;
`wayback` keeps it as a web archive would.

A package of its own, beside psgscraper and not in its wheel: the mirror is a
test and demo double, not the product. From the product it takes only
`psgscraper.site` (the site's hosts, sections and the Wayback Machine's URLs).

Nothing is imported here: every `psg` command loads the mirror's command line,
and only the commands that render the site load the rendering.
"""

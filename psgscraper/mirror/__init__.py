"""An offline mirror of the Peru Support Group's old site, for demos, tests and
benchmarks: `build.build_mirror` writes the site to a directory and
`serve.MirrorServer` answers for it on 127.0.0.1 as the PHP site did;
`wayback` keeps it as a web archive would.

Nothing is imported here: every `psg` command loads the mirror's command line,
and only the commands that render the site load the rendering.
"""

"""The site as the Wayback Machine holds it, emulated: `serve.build_wayback`
writes the captures, `serve.WaybackServer` answers for them."""

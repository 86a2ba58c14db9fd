"""Publishing the archive with Datasette: metadata, templates, plugin, server."""

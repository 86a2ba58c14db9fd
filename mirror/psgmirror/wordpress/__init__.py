"""The site as WordPress serves it now, emulated: `serve.WordPressServer`."""

"""Markdown → sanitised HTML, link and image references, content hashes."""

"""Renderers: turn verdicts and records into text for people (console, Markdown, HTML)."""

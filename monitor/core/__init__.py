"""Shared helpers that know no domain: time, i18n, Markdown, audit, database types."""

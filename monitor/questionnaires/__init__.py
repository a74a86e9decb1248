"""Questionnaire and round definitions in YAML: schema, loader, validator.

This package imports no Flask, so ``monitor questionnaire validate`` and the Babel
extractor run without the web application.
"""

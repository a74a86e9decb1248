"""WSGI entry point: ``gunicorn wsgi:app``. Configuration comes from MONITOR_* variables."""

from monitor import create_app

app = create_app()

"""WSGI entry point for gunicorn and other servers: ``gunicorn factcheck.wsgi:app``."""

from factcheck import create_app

app = create_app()

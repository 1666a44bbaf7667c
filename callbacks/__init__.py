"""Thin adapters registered with @dash.callback: inputs -> analytics -> figures.

Importing this package registers every callback once (app.py does it).
"""
from . import page, overview, views, records, status  # noqa: F401

"""Thin adapters registered with @dash.callback: inputs -> analytics -> figures.

Importing this package registers every callback once (app.py does it).
"""
from . import exports, overview, page, planner, records, status, steward, views  # noqa: F401

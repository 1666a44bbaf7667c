"""Thin adapters registered with @dash.callback: inputs -> analytics -> figures."""

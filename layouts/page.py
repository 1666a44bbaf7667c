"""Placeholder page until the dashboard lands."""
from dash import html


def create_layout():
    return html.Div([html.H1("创新联合体布局图谱 · Consortium Atlas")])

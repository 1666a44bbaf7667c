"""Consortium Atlas (创新联合体布局图谱): ``python app.py`` serves the dashboard.

``create_app()`` builds the Dash app; ``server`` is the Flask server for
``gunicorn app:server``. Nothing is read from the store at import time.
"""
from __future__ import annotations

import dash

import config


def create_app() -> dash.Dash:
    from flask_compress import Compress

    from layouts.page import create_layout

    app = dash.Dash(
        __name__,
        title="创新联合体布局图谱 · Consortium Atlas",
        assets_folder=str(config.ASSETS_DIR),
        serve_locally=True,  # no CDN: every script comes from this server
        suppress_callback_exceptions=True,
        update_title=None,
    )
    app.layout = create_layout
    Compress(app.server)
    import callbacks  # noqa: F401  (registers every @dash.callback once)

    return app


app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(host=config.HOST, port=config.PORT, debug=False)

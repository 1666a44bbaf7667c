"""gunicorn app:server — settings and a warm-up per worker."""
import os
import threading

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4
timeout = 120
# Longer than a client's or a reverse proxy's idle reuse of a connection, so gunicorn never closes one
# under a request that is already on its way (seen as "remote end closed connection" under load).
keepalive = 75


def post_worker_init(worker):
    from callbacks.state import warm_up

    threading.Thread(target=warm_up, daemon=True, name="warm-up").start()

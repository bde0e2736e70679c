"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py app:server` (see docs/deployment.md).

Threads, not sync workers: a sync worker is held by one slow client for its whole request, so
three slow phones took the site down. A gthread worker parks idle connections in its poller and
serves others meanwhile. Behind nginx (proxy_buffering on) no slow client reaches gunicorn at all.
Command-line options override these (the tests pass --bind and --workers).

preload_app: the master imports the app and reads the data, then forks the workers, which share
those pages copy-on-write (app.before_fork, docs/deployment.md). A HUP then restarts the workers
on the master's code: a code change needs a restart of the master. GUNICORN_PRELOAD=0 turns it off.
"""

import os

# Loopback unless the operator says otherwise: nginx in front is the public face (BIND=0.0.0.0:8050 to expose).
bind = os.environ.get("BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # share the first copy of the data; later ones are their own
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))  # exports use at most 6 of them (2 rendering, 4 waiting)
timeout = 60  # a worker whose main loop is silent this long is restarted (requests in threads do not count)
graceful_timeout = 30  # on restart, time for a running export to finish
keepalive = 5  # seconds an idle kept-alive connection may hold a place
# Requests stay small: long URLs of many filters fit in 4 KB; uploads go in the body (MAX_CONTENT_LENGTH).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
control_socket_disable = True  # gunicorn 27 would open a control socket under ~/.gunicorn otherwise


def pre_fork(server, worker):
    """The master, before forking each worker: its copy of the data brought up to date (a look at
    the folder), so that a worker restarted after a change shares the new version. A peer's app has no hook."""
    if server.cfg.preload_app and (hook := getattr(server.app.wsgi(), "extensions", {}).get("before_fork")):
        hook()

"""gunicorn's settings for production (README, "Production"): `gunicorn config.wsgi` reads this file from the
working directory (`-c gunicorn.conf.py` from elsewhere). Figures: docs/PERFORMANCE.md, "Garbage collection".

Garbage collection: each worker loads the application after it is forked (no `preload_app`), so the place to
freeze the loaded objects is `post_worker_init`, which runs in the worker once the application is loaded
(`post_fork` runs before the load, `when_ready` in the master). `config/wsgi.py` already freezes at the end of its
import, for any server; the hook freezes whatever the worker's own start added.

Timeout: a sync worker tells the master it is alive only between requests, so `timeout` bounds a whole request,
streaming included. An XLSX export of a full sheet (1,048,575 rows) streams for longer than the default 30 s.
"""

import gc
import os

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))


def post_worker_init(worker) -> None:
    if os.environ.get("GC_FREEZE", "1") != "0":
        gc.collect()
        gc.freeze()

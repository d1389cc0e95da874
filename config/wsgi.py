"""The WSGI application (`gunicorn config.wsgi`, see `gunicorn.conf.py`), with two garbage-collection measures
(issue 18: full collections of ~75 ms landed in the tail; figures in docs/PERFORMANCE.md, "Garbage collection"):

- Once the application is loaded, its objects (Django, the apps, every imported module) live as long as the
  process: `gc.freeze()` moves them out of the collector's reach, so a full collection scans only what requests
  leave behind instead of the whole process; young collections run every 10,000 allocations instead of 700.
  Done here, not only in `gunicorn.conf.py`, so that it applies under any server and any gunicorn config (the
  shared bench runs gunicorn with an empty one). `GC_FREEZE=0` turns it off (bench/gc_bench.py compares).
- A DRF response keeps `renderer_context`, which holds the view, the request and the response itself, and the view
  keeps the request and the response: reference cycles that kept each request's objects (the rendered data:
  thousands of dicts and lists for a page of invoices) alive until the cyclic collector ran. The handler cuts them
  once the response has been sent, so reference counting frees them at once.
"""

import gc
import os
from functools import partial

import django
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _release(response) -> None:
    """Run by `response.close()`, once the response is sent: cut DRF's cycles (the renderer context holds the view,
    the request and the response; the view holds the request and the response; the request's parser context holds
    the view and the request), so that reference counting frees the request's objects at once."""
    context = getattr(response, "renderer_context", None)
    if not context:
        return
    view, request = context.get("view"), context.get("request")
    context.clear()
    if view is not None:
        vars(view).pop("response", None)
        vars(view).pop("request", None)
    parser_context = getattr(request, "parser_context", None)
    if parser_context:
        parser_context.clear()


class Handler(WSGIHandler):
    """Django's WSGI handler, which also releases what each response rendered once it is sent."""

    def get_response(self, request):
        response = super().get_response(request)
        response._resource_closers.append(partial(_release, response))
        return response


GC_THRESHOLD = (10_000, 20, 10)  # Python 3.11's (700, 10, 10) ran a young collection almost every request


def freeze_loaded_objects() -> None:
    """Collect what loading left as garbage (frozen, it would never be freed), freeze the rest, and collect the
    young generation less often."""
    if os.environ.get("GC_FREEZE", "1") != "0":
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLD)


django.setup(set_prefix=False)  # as `get_wsgi_application()`, with this handler
application = Handler()

from config.settings import require_production_secrets  # noqa: E402

require_production_secrets()
freeze_loaded_objects()

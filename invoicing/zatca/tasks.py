"""The ZATCA outbox as a periodic task of `manage.py worker` (PRODUCT.md sections 8b, 8c and 11)."""

from __future__ import annotations

import datetime as dt

from invoicing.zatca import reporting
from workspaces.tasks.registry import MORE, stop_requested, task

BATCH = 50


# Not atomic: it calls ZATCA. The outbox is idempotent by itself (each document claimed under its own lease, each
# answer recorded once, a resend answered 409), so a run repeated after a dead worker reports nothing twice.
@task("invoicing.zatca_report", every=dt.timedelta(seconds=5), atomic=False)
def zatca_report() -> object:
    """Sends one batch of the due documents, ending early when the worker is asked to stop (the rest is given back
    unsent); a full batch asks for the next run at once, not in 5 seconds."""
    counts = reporting.run_once(limit=BATCH, should_stop=stop_requested)
    handled = sum(count for label, count in counts.items() if label != "released")
    return MORE if handled >= BATCH else None

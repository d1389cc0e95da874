"""The suppliers app's periodic task for `manage.py worker` (PRODUCT.md section 11)."""

from __future__ import annotations

import datetime as dt
import logging

from suppliers.services.images import invoice_files_cleanup
from workspaces.tasks.registry import task

logger = logging.getLogger(__name__)

UNATTACHED_FOR = dt.timedelta(hours=24)


# Not atomic: it deletes files from storage, which no transaction rolls back; it commits batch by batch itself and
# a run stopped halfway is finished by the next (`invoice_files_cleanup`).
@task("suppliers.cleanup_uploads", every=dt.timedelta(hours=1), atomic=False)
def cleanup_uploads() -> None:
    removed = invoice_files_cleanup(older_than=UNATTACHED_FOR)
    if removed:
        logger.info("Removed %s unattached supplier upload(s) older than 24 hours", len(removed))

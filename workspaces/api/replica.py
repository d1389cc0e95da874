"""`@replica_reads` on a GET handler: its reads may go to the replica (`workspaces.routing`, PRODUCT.md section 11).

For the lists, reports and exports, which tolerate a moment's lag; never for a single resource a client may have
just written (those are read from the primary, like every write and locked read).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from workspaces import routing


def replica_reads(handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)
    def wrapper(view: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        return routing.served_from_replica(
            routing.request_principal_of(request), lambda: handler(view, request, *args, **kwargs)
        )

    return wrapper

"""A local Orderchamp-shaped GraphQL server for demo mode and tests.

Imports nothing from the rest of the app (only the standard library and graphql-core).

Usage::

    with SandboxServer(SandboxConfig(products=20, orders=120, restore_rate=5000)) as server:
        # POST server.url with "Authorization: Bearer <server.token>" and {query, variables, operationName}
        server.state.orders            # the live world (read it to compare with what the app synced)
        server.state.add_random_order(status="AWAITING_FULFILMENT")   # change it between two syncs
        server.faults.inject_next("502_html")                         # or .configure(rate, kinds, seed)
        server.faults.drop_response_after("shipmentCreate")           # execute, then drop the answer
        server.faults.fail_field_next("SyncOrders", ("orders",))      # null + error: a partial answer
        server.stats.by_field["shipmentCreate"]                       # root fields actually executed

Behaviour worth knowing (see cost.py, pagination.py, throttle.py for details):

- every connection needs ``first`` or ``last`` (capped at 250); cursors are opaque and keyed on the
  sort, so a cursor from one sort is refused by another;
- ``orders`` defaults to CREATED_AT_DESC, hides unconfirmed and cancelled orders unless asked, and
  ``since: null`` (explicit) matches nothing;
- cost: scalars 0, objects 1 + selection, connections 2 + n * (1 + node selection); a query over
  ``max_query_cost`` is refused, a bucket of ``bucket_size`` restores ``restore_rate`` points/s,
  and every answer carries ``extensions.throttle``;
- ``SandboxConfig(features=...)`` switches schema parts off (see config.DEFAULT_FEATURES);
  ``features=config.DOCS_SHAPED`` gives only what the public docs show (no UPDATED_AT sorts,
  no sort on ``products``, invoices sorted by id), and ``introspection: False`` refuses
  ``__schema``/``__type`` queries;
- the world's clock is ``config.now`` plus the time elapsed on ``config.clock``; mutations stamp
  ``updatedAt`` with it, so incremental syncs with ``since`` see them.
"""

from __future__ import annotations

from .config import SandboxConfig
from .faults import FAULT_KINDS, FaultInjector
from .server import SandboxServer, run_standalone
from .state import SandboxState
from .stats import ServerStats

__all__ = [
    "FAULT_KINDS",
    "FaultInjector",
    "SandboxConfig",
    "SandboxServer",
    "SandboxState",
    "ServerStats",
    "run_standalone",
]

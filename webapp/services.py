"""What the web app shares between requests: the compiled ruleset, the store and the catalogue,
and a bounded pool of worker threads for SPARQL queries."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from flask import current_app

from kravbib import ruleset
from kravbib.catalogue import Catalogue
from kravbib.queries import load_queries
from kravbib.store import QueryTimeout, Result, Store, StoreError, open_store


class Busy(StoreError):
    """Every query worker is taken; try again shortly."""


@dataclass
class Services:
    rs: ruleset.Ruleset
    store: Store
    catalogue: Catalogue
    queries: dict
    timeout: float
    max_rows: int
    pool: ThreadPoolExecutor
    slots: threading.BoundedSemaphore

    @classmethod
    def from_config(cls, config) -> "Services":
        rs = ruleset.get(config["KRAVBIB_RULESET"])
        store = open_store(config["KRAVBIB_DATA"], config["KRAVBIB_ENDPOINT"], config["KRAVBIB_UPDATE_ENDPOINT"])
        catalogue = Catalogue(store, rs)
        catalogue.ensure_ruleset()
        workers = int(config["SPARQL_WORKERS"])
        return cls(rs, store, catalogue, load_queries(rs.directory / "queries"), float(config["SPARQL_TIMEOUT"]),
                   int(config["SPARQL_MAX_ROWS"]), ThreadPoolExecutor(workers, thread_name_prefix="sparql"),
                   threading.BoundedSemaphore(workers))

    def run_query(self, text: str) -> Result:
        """Run a query on a worker, within the time limit. A query that overruns is answered with
        QueryTimeout; an embedded query cannot be cancelled, so it keeps its worker until it ends,
        and when every worker is taken new queries get Busy instead of waiting."""
        if not self.slots.acquire(blocking=False):
            raise Busy("every query worker is busy; try again shortly")
        try:
            future = self.pool.submit(self.store.run, text, limit=self.max_rows, timeout=self.timeout)
        except RuntimeError:
            self.slots.release()
            raise
        future.add_done_callback(lambda _: self.slots.release())
        try:
            result = future.result(timeout=self.timeout)
        except FutureTimeout:
            raise QueryTimeout(f"the query ran longer than the {self.timeout:g} s limit") from None
        return result


def services() -> Services:
    return current_app.extensions["kravbib"]

"""What the web app shares between requests: the compiled ruleset, the store and the catalogue,
and a bounded pool of workers for public SPARQL queries: worker processes on the embedded store
(kravbib/query_workers.py: an overrunning query is killed at the limit), threads on a remote one
(the SPARQL server enforces its own timeout)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from flask import current_app

from pathlib import Path

from kravbib import audit, ruleset
from kravbib.accounts import Accounts
from kravbib.catalogue import Catalogue
from kravbib import describe
from kravbib.queries import load_queries
from kravbib.render import ruleset_iri as DATA_RULESET
from kravbib.query_workers import QueryWorkers
from kravbib.store import Busy, EmbeddedStore, QueryTimeout, Result, Store, StoreError, open_store  # noqa: F401


@dataclass
class Services:
    rs: ruleset.Ruleset
    store: Store
    catalogue: Catalogue
    queries: dict
    timeout: float
    max_rows: int
    pool: ThreadPoolExecutor | None             # remote store: threads that wait for the server
    slots: threading.BoundedSemaphore | None
    accounts: Accounts
    data_dir: Path
    workers: QueryWorkers | None = None         # embedded store: worker processes

    @classmethod
    def from_config(cls, config) -> "Services":
        from kravbib.proposals import current_archived

        data_dir = Path(config["KRAVBIB_DATA"])
        # the ruleset: as configured, else the version regulators last published, else the shipped one
        folder = ruleset.resolve(config["KRAVBIB_RULESET"], data_dir) or current_archived(data_dir)
        rs = ruleset.get(folder)
        store = open_store(data_dir, config["KRAVBIB_ENDPOINT"], config["KRAVBIB_UPDATE_ENDPOINT"])
        catalogue = Catalogue(store, rs, archive_dir=data_dir)
        catalogue.ensure_ruleset()
        workers = int(config["SPARQL_WORKERS"])
        if isinstance(store, EmbeddedStore):
            pool, slots, processes = None, None, QueryWorkers(store, workers)
        else:
            pool, slots, processes = (ThreadPoolExecutor(workers, thread_name_prefix="sparql"),
                                      threading.BoundedSemaphore(workers), None)
        return cls(rs, store, catalogue, load_queries(rs.directory / "queries"), float(config["SPARQL_TIMEOUT"]),
                   int(config["SPARQL_MAX_ROWS"]), pool, slots, Accounts(data_dir), data_dir, processes)

    def publish(self, new: ruleset.Ruleset, previous: ruleset.Ruleset, actor: str) -> None:
        """Make a newly published ruleset the current one and re-assess the catalogue with it."""
        catalogue = Catalogue(self.store, new, archive_dir=self.data_dir)
        catalogue.ensure_ruleset()
        audit.record(self.store, audit.event(actor, "rules.publish", DATA_RULESET(new), previous=DATA_RULESET(previous),
                                             note=f"version {new.version}"))
        for row in catalogue.list():
            g, node = catalogue.description(row["id"])
            try:
                checked = describe.validated(g, node, new)
            except describe.InvalidInput:
                continue                      # kept, with its assessment under the earlier version
            catalogue.save_graph(checked, node, actor=actor)
        self.rs, self.catalogue = new, catalogue

    def run_query(self, text: str, union: bool = False) -> Result:
        """Run a public query on a worker, within the time limit; when every worker is taken it gets
        Busy instead of waiting. A query that overruns is answered with QueryTimeout: on the embedded
        store its worker process is killed then (pyoxigraph cannot cancel a query); a remote server
        cancels it itself. `union`: the query cannot read a private graph (sparql_guard says so), so on
        the embedded store it may run over the union of all graphs, which is much faster than the
        explicit list of public graphs when the catalogue has thousands of them."""
        if self.workers is not None:
            return self.workers.run(text, limit=self.max_rows, timeout=self.timeout, union=union)
        if not self.slots.acquire(blocking=False):
            raise Busy("every query worker is busy; try again shortly")
        try:
            future = self.pool.submit(self.store.run, text, limit=self.max_rows, timeout=self.timeout, public=True)
        except RuntimeError:
            self.slots.release()
            raise
        future.add_done_callback(lambda _: self.slots.release())
        try:
            result = future.result(timeout=self.timeout)
        except FutureTimeout:
            raise QueryTimeout(f"the query ran longer than the {self.timeout:g} s limit") from None
        return result

    def close(self) -> None:
        """Stop the query workers, remove their snapshots and let go of the store."""
        if self.workers is not None:
            self.workers.close()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.store.close()


def services() -> Services:
    return current_app.extensions["kravbib"]

"""What the web app shares between requests: the compiled ruleset, the store and the catalogue,
and a bounded pool of worker threads for SPARQL queries."""

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
    accounts: Accounts
    data_dir: Path

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
        return cls(rs, store, catalogue, load_queries(rs.directory / "queries"), float(config["SPARQL_TIMEOUT"]),
                   int(config["SPARQL_MAX_ROWS"]), ThreadPoolExecutor(workers, thread_name_prefix="sparql"),
                   threading.BoundedSemaphore(workers), Accounts(data_dir), data_dir)

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

    def run_query(self, text: str) -> Result:
        """Run a query on a worker, within the time limit. A query that overruns is answered with
        QueryTimeout; an embedded query cannot be cancelled, so it keeps its worker until it ends,
        and when every worker is taken new queries get Busy instead of waiting."""
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


def services() -> Services:
    return current_app.extensions["kravbib"]

"""Public SPARQL queries on the embedded store, run in worker processes that can be killed.

pyoxigraph cannot cancel a query, so a query run in the web app's own process keeps its thread
and a CPU busy until it ends, however long after its time limit. Here each public query runs in
one of a few worker processes instead; a query that overruns is answered with QueryTimeout at the
limit and its worker is killed (SIGKILL) and replaced, which frees the CPU at once.

The on-disk store admits one writing process (the web app), and opening it read-only while that
process writes is undefined behaviour. So the workers never open the live store: they read a
*snapshot*, a RocksDB checkpoint of the store (`Store.backup`: hard links, consistent, made in
a few tens of milliseconds) that nobody writes, opened with `Store.read_only`. The store counts
its writes (`EmbeddedStore.generation`); a query that arrives after a write first makes a new
snapshot, so it sees every write that finished before it arrived. Snapshots live in
`<store>/sparql-snapshots/<n>/`; one is removed as soon as it is neither the current one nor
open in a worker, and the whole folder on start-up (what a killed server left) and on close.

Workers are `python -c` child processes (spawned: fork + exec, so nothing of this process, with
its threads and open database, lives on in them) that import only pyoxigraph: one starts in about
40 ms. (multiprocessing's "spawn" would re-import the web app's main module, kravbib.cli, in each
worker: some 0.2 s and 30 MB more.) They talk to the web app over two pipes, in JSON framed by
multiprocessing.connection; a worker sends back at most `limit` rows (or triples) and whether
there were more, with the terms as in SPARQL JSON results (read back as the same rdflib terms as
reason.from_ox makes). A worker runs one query at a time, at a lower CPU priority than the web app, and ends
itself when the web app's process goes away; when every worker is taken, a query waits up to
BUSY_WAIT for one and then gets Busy. A query the guard finds cannot read a private graph
(sparql_guard: public_only) runs over the union of all graphs, any other over the public graphs.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

SNAPSHOTS = "sparql-snapshots"      # in the store's folder (same file system: the checkpoint's hard links)
BUSY_WAIT = 2.0                      # s a query may wait for a free worker before it gets Busy (503)
WORKER_NICENESS = 10                # public queries yield the CPU to the web app's own work
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from kravbib.query_workers import worker_main; worker_main(sys.argv[2:])")


# --- the worker process ---------------------------------------------------------------------------
class _Snapshot:
    """The snapshot a worker has open, and its public dataset (fixed: nobody writes a snapshot)."""

    def __init__(self):
        self.path = None
        self.store = None
        self.private = None
        self.graphs = None

    def use(self, path: str, private: list) -> None:
        if path != self.path:
            self.store = self.graphs = self.path = None
            gc.collect()                        # let go of the previous snapshot's files
            self.store = ox.Store.read_only(path)
            self.path = path
        if private != self.private:
            self.graphs, self.private = None, private

    def public_graphs(self) -> list:
        """What EmbeddedStore.run(public=True) reads: every named graph but the private ones (listed
        when first needed: a query that cannot read a private graph runs over the union instead)."""
        if self.graphs is None:
            self.graphs = [g for g in self.store.named_graphs() if g.value not in self.private]
        return self.graphs


def _term(t) -> dict:
    """A term as in SPARQL 1.1 Query Results JSON (read back with kravbib.store.term_from_json)."""
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        if t.language:
            return {"type": "literal", "value": t.value, "xml:lang": t.language}
        if t.datatype.value == _XSD_STRING:
            return {"type": "literal", "value": t.value}
        return {"type": "literal", "value": t.value, "datatype": t.datatype.value}
    raise TypeError(f"a query result holds a term kravbib cannot read: {t!r}")


def _answer(snapshot: _Snapshot, request: dict) -> dict:
    try:
        snapshot.use(request["snapshot"], request["private"])
        if request.get("union"):        # a query that cannot read a private graph (sparql_guard)
            answer = snapshot.store.query(request["query"], use_default_graph_as_union=True)
        else:
            graphs = snapshot.public_graphs()
            answer = snapshot.store.query(request["query"], default_graph=graphs, named_graphs=graphs)
    except SyntaxError as exc:
        return {"error": "syntax", "message": str(exc)}
    except Exception as exc:
        return {"error": "store", "message": str(exc)}
    limit = request.get("limit")
    try:
        if isinstance(answer, ox.QueryBoolean):
            return {"kind": "ask", "boolean": bool(answer)}
        truncated = False
        if isinstance(answer, ox.QueryTriples):
            triples = []
            for i, t in enumerate(answer):
                if limit is not None and i >= limit:
                    truncated = True
                    break
                triples.append([_term(t.subject), _term(t.predicate), _term(t.object)])
            return {"kind": "graph", "triples": triples, "truncated": truncated}
        variables = [v.value for v in answer.variables]
        rows = []
        for i, solution in enumerate(answer):
            if limit is not None and i >= limit:
                truncated = True
                break
            terms = [solution[v] for v in variables]
            rows.append([None if t is None else _term(t) for t in terms])
        return {"kind": "select", "vars": variables, "rows": rows, "truncated": truncated}
    except Exception as exc:
        return {"error": "store", "message": str(exc)}
    finally:
        del answer


def _watch_parent(parent: int) -> None:
    """End this worker when the web app's process is gone (queries release the GIL, so this runs)."""
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def worker_main(argv: list[str]) -> None:
    """The worker's loop: argv = [request fd, reply fd, parent pid, snapshot to open at once or ""]."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # Ctrl-C is for the web app, which ends us
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    requests = Connection(int(argv[0]), writable=False)
    replies = Connection(int(argv[1]), readable=False)
    threading.Thread(target=_watch_parent, args=(int(argv[2]),), daemon=True).start()
    snapshot = _Snapshot()
    if len(argv) > 4 and argv[3]:
        try:
            snapshot.use(argv[3], json.loads(argv[4]))   # ready before the first query comes
        except Exception:
            pass                                          # the first query will say what is wrong
    while True:
        try:
            request = json.loads(requests.recv_bytes())
        except (EOFError, OSError):
            return
        replies.send_bytes(json.dumps(_answer(snapshot, request), ensure_ascii=False).encode("utf-8"))


# --- the web app's side ---------------------------------------------------------------------------
class _Overran(Exception):
    pass


class _Worker:
    def __init__(self, snapshot: Path | None, private: list):
        to_child, from_parent = os.pipe()
        from_child, to_parent = os.pipe()
        root = str(Path(__file__).resolve().parent.parent)      # the same kravbib as this process
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, root, str(to_child), str(to_parent), str(os.getpid()),
                 str(snapshot or ""), json.dumps(private)],
                pass_fds=(to_child, to_parent), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        except BaseException:
            for fd in (to_child, from_parent, from_child, to_parent):
                os.close(fd)
            raise
        os.close(to_child)
        os.close(to_parent)
        self.requests = Connection(from_parent, readable=False)
        self.replies = Connection(from_child, writable=False)
        self.holds = {snapshot} if snapshot else set()    # snapshots it has, or may have, open

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: dict, timeout: float | None) -> dict:
        self.requests.send_bytes(json.dumps(request, ensure_ascii=False).encode("utf-8"))
        if timeout is not None and not self.replies.poll(max(0.0, timeout)):
            raise _Overran()
        return json.loads(self.replies.recv_bytes())

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for conn in (self.requests, self.replies):
            try:
                conn.close()
            except OSError:
                pass


def _shutdown(workers: set, root: Path) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()
    shutil.rmtree(root, ignore_errors=True)


class QueryWorkers:
    """`size` worker processes for public queries on an EmbeddedStore; started when first needed
    (or by start()), stopped by close() (also when this object is collected or at exit)."""

    def __init__(self, store, size: int):
        from .audit import PRIVATE_GRAPHS

        self.store = store
        self.size = max(1, int(size))
        self.root = Path(store.path) / SNAPSHOTS
        self.private = list(PRIVATE_GRAPHS)
        shutil.rmtree(self.root, ignore_errors=True)         # left by a server that was killed
        self._lock = threading.Lock()                        # the slots, the workers, the snapshot names
        self._slot_freed = threading.Condition(self._lock)   # notified when a worker is handed back
        self._snapshot_lock = threading.Lock()               # one checkpoint at a time
        self._free: list[_Worker | None] = [None] * self.size   # None: a slot whose worker is not started
        self._workers: set[_Worker] = set()                  # every live worker, free or busy
        self._snapshot: Path | None = None
        self._generation = None
        self._count = 0
        self._closed = False
        self._finalizer = weakref.finalize(self, _shutdown, self._workers, self.root)

    # -- snapshots ------------------------------------------------------------------------------
    def snapshot(self, worker: _Worker | None = None) -> Path:
        """The current snapshot, made anew if the store was written since the last one; marked as
        held by `worker` before any other thread can make a newer one (and remove this one)."""
        from .store import StoreError

        with self._snapshot_lock:
            generation = self.store.generation            # read first: a write during the checkpoint
            if self._snapshot is None or generation != self._generation:   # makes it stale again
                with self._lock:
                    if self._closed:
                        raise StoreError("the query workers are shut down")
                    self._count += 1
                    path = self.root / str(self._count)
                self.root.mkdir(parents=True, exist_ok=True)
                try:
                    self.store.backup(path)
                except OSError as exc:
                    shutil.rmtree(path, ignore_errors=True)
                    raise StoreError(f"cannot snapshot the store for queries: {exc}") from None
                with self._lock:
                    self._snapshot, self._generation = path, generation
                self._prune()
            with self._lock:
                if worker is not None:
                    worker.holds.add(self._snapshot)
                return self._snapshot

    def _prune(self) -> None:
        with self._lock:
            keep = {self._snapshot}.union(*(w.holds for w in self._workers))
        try:
            old = [p for p in self.root.iterdir() if p not in keep]
        except OSError:
            return
        for path in old:        # no worker can be told to open these any more: safe outside the lock
            shutil.rmtree(path, ignore_errors=True)

    # -- workers ----------------------------------------------------------------------------------
    def _start(self, snapshot: Path | None) -> _Worker:
        worker = _Worker(snapshot, self.private)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _stop(self, worker: _Worker | None) -> None:
        if worker is not None:
            worker.kill()
            with self._lock:
                self._workers.discard(worker)

    def start(self) -> None:
        """Start every worker now, with the current snapshot open (else they start on first use)."""
        snapshot = self.snapshot()
        with self._lock:
            empty = [i for i, w in enumerate(self._free) if w is None]
        for i in empty:
            worker = self._start(snapshot)
            with self._lock:
                if self._free[i] is None and not self._closed:
                    self._free[i] = worker
                    continue
            self._stop(worker)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers]

    def run(self, query: str, *, limit: int | None = None, timeout: float | None = None, union: bool = False):
        """Run a public query (the dataset of EmbeddedStore.run(public=True)) on a worker; a Result
        as EmbeddedStore.run gives. Busy when every worker is taken; QueryTimeout at the limit."""
        from .store import Busy, QueryTimeout, StoreError

        started = time.monotonic()
        with self._lock:
            if self._closed:
                raise StoreError("the query workers are shut down")
            if not self._free:
                # a short wait for a worker to come free (within the query's own time budget) before
                # answering Busy: queries are short, and a burst of them should queue, not fail
                wait = BUSY_WAIT if timeout is None else min(BUSY_WAIT, timeout / 2)
                self._slot_freed.wait_for(lambda: self._free or self._closed, timeout=wait)
                if self._closed:
                    raise StoreError("the query workers are shut down")
                if not self._free:
                    raise Busy("every query worker is busy; try again shortly")
            worker = self._free.pop()
        try:
            if worker is None or not worker.alive():
                self._stop(worker)
                worker = None
                worker = self._start(None)
            snapshot = self.snapshot(worker)
            remaining = None if timeout is None else timeout - (time.monotonic() - started)
            request = {"snapshot": str(snapshot), "private": self.private, "query": query, "limit": limit,
                       "union": union}
            try:
                reply = worker.ask(request, remaining)
            except _Overran:
                self._stop(worker)              # SIGKILL: the query's CPU is free now
                worker = None
                try:
                    worker = self._start(snapshot)  # its successor opens the snapshot while we answer
                except OSError:
                    pass                        # started when the slot is next used
                raise QueryTimeout(f"the query ran longer than the {timeout:g} s limit") from None
            except (EOFError, OSError, ValueError) as exc:
                self._stop(worker)
                worker = None
                raise StoreError(f"the query worker stopped unexpectedly ({exc or type(exc).__name__})") from None
            with self._lock:
                worker.holds = {snapshot}           # it has let go of any earlier one
        finally:
            with self._lock:
                if self._closed:
                    closing, worker = worker, None
                else:
                    closing = None
                    self._free.append(worker)
                    self._slot_freed.notify()
            self._stop(closing)
        self._prune()
        return _result(reply)

    def close(self) -> None:
        """Stop every worker and remove the snapshots."""
        with self._lock:
            self._closed = True
            self._free = []
            self._slot_freed.notify_all()
        self._finalizer()


def _result(reply: dict):
    """The worker's answer as the Result EmbeddedStore.run would give (terms as reason.from_ox makes them)."""
    from rdflib import Graph

    from .store import Result, StoreError, term_from_json as term

    if "error" in reply:
        if reply["error"] == "syntax":
            raise ValueError(reply["message"])
        raise StoreError(reply["message"])
    if reply["kind"] == "ask":
        return Result("ask", boolean=reply["boolean"])
    if reply["kind"] == "graph":
        g = Graph()
        for s, p, o in reply["triples"]:
            g.add((term(s), term(p), term(o)))
        return Result("graph", graph=g, truncated=reply["truncated"])
    variables = reply["vars"]
    rows = [{v: term(t) for v, t in zip(variables, row) if t is not None} for row in reply["rows"]]
    return Result("select", vars=variables, rows=rows, truncated=reply["truncated"])

"""Run every measurement of issue 8 in one go, each in a fresh process, and write the Markdown report."""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import load as load_test
from . import steps
from .machine import describe_machine
from .report import write_report

SIZES = {
    # a CI smoke step: every measurement runs, on tiny inputs (no meaning as numbers)
    "small": {"scales": [200, 1000], "load_repeats": 1, "single_n": 20, "warmup": 3, "naive_literal": 2,
              "naive_fixpoint": 1, "batch": [200], "catalogue": 200, "impact": 50, "query_reps": 5,
              "query_min_reps": 3, "query_budget_s": 2, "ablation_budget_s": 10, "web_seconds": 2, "web_products": 20,
              "concurrency": [8, 32], "profile_n": 10, "loadtest_users": 50, "loadtest_seconds": 15,
              "loadtest_products": 30},
    # the real measurement (about 15 minutes on the 2-core reference machine)
    "full": {"scales": [200, 1000], "load_repeats": 3, "single_n": 200, "warmup": 10, "naive_literal": 30,
             "naive_fixpoint": 10, "batch": [1000], "catalogue": 10000, "impact": 10000, "query_reps": 20,
             "query_min_reps": 3, "query_budget_s": 5, "ablation_budget_s": 150, "web_seconds": 30, "web_products": 200,
             "concurrency": [8, 32], "profile_n": 50, "loadtest_users": 50, "loadtest_seconds": 90,
             "loadtest_products": 200},
}
# "load" is the ruleset load time (issue 8); "loadtest" the 50-user load test of issue 9 (benchmarks/load.py)
STEPS = ("load", "single", "naive", "batch", "fill", "impact", "queries", "web", "loadtest", "profile")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


WAIT_IDLE = {"seconds": 0.0, "below": 1.0}


def wait_idle() -> None:
    """On a shared machine: wait (up to --wait-idle seconds) for the 1-minute load average to drop."""
    deadline = time.monotonic() + WAIT_IDLE["seconds"]
    if WAIT_IDLE["seconds"] and os.getloadavg()[0] >= WAIT_IDLE["below"]:
        log(f"waiting for the load average ({os.getloadavg()[0]:.2f}) to drop below {WAIT_IDLE['below']}")
    while time.monotonic() < deadline and os.getloadavg()[0] >= WAIT_IDLE["below"]:
        time.sleep(2)


def run_step(name: str, cfg: dict, func=None) -> dict:
    """Run func(cfg) (default steps.<name>) in a fresh spawned process; its peak RSS is the step's own."""
    wait_idle()
    t = time.perf_counter()
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    try:
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
            result = pool.submit(func or getattr(steps, name), cfg).result()
    except Exception as exc:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        log(f"{name}: FAILED: {detail}")
        result = {"error": detail}
    # CPU time of the step's process (and of the processes it waited for, e.g. the web server)
    result["run"] = {"wall_s": time.perf_counter() - t, "cpu_s": _children_cpu() - cpu_before,
                     "load_before": load_before, "load_after": os.getloadavg()[0]}
    return result


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--size", choices=sorted(SIZES), default="small")
    p.add_argument("--out", default=None, help="report file (default: benchmarks/RESULTS.md for --size full, "
                   "benchmarks/RESULTS-small.md otherwise)")
    p.add_argument("--catalogue", type=int, help="products in the catalogue store (fill, impact, queries)")
    p.add_argument("--impact", type=int, help="products re-assessed in the impact analysis")
    p.add_argument("--batch", help="comma-separated batch sizes, e.g. 1000,10000")
    p.add_argument("--steps", help=f"comma-separated subset of {','.join(STEPS)} (default: all)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (rulesets, store)")
    p.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                   help="before each step, wait up to SECONDS for the 1-minute load average to fall below 1 "
                        "(for shared machines; default: do not wait)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    WAIT_IDLE["seconds"] = args.wait_idle
    size = dict(SIZES[args.size])
    if args.catalogue:
        size["catalogue"] = args.catalogue
    if args.impact:
        size["impact"] = args.impact
    if args.batch:
        size["batch"] = [int(x) for x in args.batch.split(",")]
    size["impact"] = min(size["impact"], size["catalogue"])
    wanted = set(args.steps.split(",")) if args.steps else set(STEPS)
    unknown = wanted - set(STEPS)
    if unknown:
        print(f"unknown steps: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(__file__).parent / ("RESULTS.md" if args.size == "full" else "RESULTS-small.md")
    tmp = Path(tempfile.mkdtemp(prefix="kravbib-bench-"))
    base = str(steps.REPO)
    started = time.perf_counter()
    results: dict = {"size": args.size, "config": size, "machine": describe_machine()}
    try:
        log(f"size {args.size}; temporary folder {tmp}")
        prep = run_step("prepare", {"base": base, "tmp": str(tmp), "scales": size["scales"]})
        results["prepare"] = prep
        if "error" in prep:
            raise RuntimeError(f"preparation failed: {prep['error']}")
        rulesets = prep["rulesets"]                     # "shipped", "200", "1000" -> {dir, requirements, added}
        store = str(tmp / "catalogue")

        def each_ruleset(step: str, extra: dict) -> dict:
            out = {}
            for key, info in rulesets.items():
                log(f"{step}: ruleset {key} ({info['requirements']} requirements)")
                out[key] = run_step(step, {"ruleset": info["dir"], **extra})
            return out

        if "load" in wanted:
            results["load"] = each_ruleset("load", {"repeats": size["load_repeats"]})
        if "single" in wanted:
            results["single"] = each_ruleset("single", {"n": size["single_n"], "warmup": size["warmup"]})
        if "naive" in wanted:
            results["naive"] = each_ruleset("naive", {"n_literal": size["naive_literal"],
                                                      "n_fixpoint": size["naive_fixpoint"]})
        if "batch" in wanted:
            log(f"batch: {size['batch']} products")
            results["batch"] = run_step("batch", {"ruleset": base, "sizes": size["batch"]})
        if wanted & {"fill", "impact", "queries"}:
            log(f"fill: {size['catalogue']} products into the embedded store")
            results["fill"] = run_step("fill", {"ruleset": base, "store": store, "n": size["catalogue"]})
        if "impact" in wanted:
            log(f"impact: {size['impact']} of {size['catalogue']} stored products, base vs head")
            results["impact"] = run_step("impact", {"base": base, "head": prep["head"]["dir"], "store": store,
                                                    "n": size["impact"]})
        if "queries" in wanted:
            log("queries: every queries/*.rq")
            results["queries"] = run_step("queries", {"ruleset": base, "store": store, "reps": size["query_reps"],
                                                      "min_reps": size["query_min_reps"],
                                                      "budget_s": size["query_budget_s"], "limit": 10000,
                                                      "timeout": 120, "ablation_budget_s": size["ablation_budget_s"],
                                                      "target_ms": 100})
        if "web" in wanted:
            log(f"web: POST /api/assess, {size['concurrency']} concurrent clients, {size['web_seconds']} s each")
            results["web"] = run_step("web", {"tmp": str(tmp), "threads": 8, "seconds": size["web_seconds"],
                                              "products": size["web_products"], "concurrency": size["concurrency"]})
        if "loadtest" in wanted:
            log(f"loadtest: {size['loadtest_users']} users (assess, browse, SPARQL, named queries) for "
                f"{size['loadtest_seconds']} s, catalogue of {size['loadtest_products']} products")
            results["loadtest"] = run_step("loadtest", {"tmp": str(tmp), "threads": 8, "users": size["loadtest_users"],
                                                        "seconds": size["loadtest_seconds"],
                                                        "products": size["loadtest_products"]}, load_test.step)
        if "profile" in wanted:
            # profile the largest ruleset (≥ 200 requirements) that misses a latency target, else 200
            key = "200" if "200" in rulesets else "shipped"
            for k, r in (results.get("single") or {}).items():
                if k.isdigit() and int(k) >= 200 and not r.get("error") and (
                        r.get("median_ms", 0) > 10 or r.get("p95_ms", 0) > 25) and (not key.isdigit() or int(k) > int(key)):
                    key = k
            log(f"profile: single assessment, ruleset {key}")
            results["profile"] = run_step("profile", {"ruleset": rulesets[key]["dir"], "n": size["profile_n"]})
    finally:
        results["total_s"] = time.perf_counter() - started
        out.parent.mkdir(parents=True, exist_ok=True)
        write_report(results, out)
        log(f"wrote {out} ({results['total_s']:.0f} s in all)")
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = [k for k, v in results.items() if isinstance(v, dict) and ("error" in v or any(
        isinstance(x, dict) and "error" in x for x in v.values()))]
    if failed:
        log(f"failed steps: {', '.join(failed)}")
        return 1
    return 0

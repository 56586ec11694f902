"""A description of the machine and software the benchmark ran on."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

LIBRARIES = ("kravbib", "rdflib", "pyshacl", "pyoxigraph", "owlready2", "flask", "waitress", "sparqlwrapper")


def _cpuinfo() -> dict:
    out = {"model": platform.processor() or "unknown", "logical": os.cpu_count()}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return out
    cores = set()
    physical = None
    for block in text.strip().split("\n\n"):
        fields = {}
        for line in block.splitlines():
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        if "model name" in fields:
            out["model"] = fields["model name"]
        if "MHz" in " ".join(fields):
            out["mhz"] = fields.get("cpu MHz")
        physical = fields.get("physical id", physical)
        if "core id" in fields:
            cores.add((fields.get("physical id"), fields["core id"]))
        if "flags" in fields:
            out["hypervisor"] = "hypervisor" in fields["flags"].split()
    if cores:
        out["physical_cores"] = len(cores)
    return out


def _mem_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        return None
    return None


def _git() -> str:
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted changes' if dirty else ''}" if head else "unknown"


def describe_machine() -> dict:
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = "not installed"
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = None
    return {"cpu": _cpuinfo(), "usable_cpus": affinity, "ram_gib": _mem_gib(), "os": platform.platform(),
            "python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "libraries": versions, "commit": _git()}

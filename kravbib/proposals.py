"""Rule-change proposals: a regulator proposes a new or changed Turtle file of rules or shapes,
kravbib checks it and shows its impact on the catalogue, and a second regulator approves it, which
publishes it as a new ruleset version. Proposals live in <data>/proposals/<id>/ (meta.json and the
file); published versions in <data>/rulesets/<hash12>/ with <data>/rulesets/current naming the one
in use. Earlier versions stay there, so assessments made with them can be reproduced."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
from pathlib import Path

from . import check, impact
from .ruleset import ARCHIVE_FOLDER, Ruleset, RulesetError, archive, load

EDITABLE = re.compile(r"^(rules|shapes)/[a-z0-9][a-z0-9/_-]*\.ttl$")
MAX_FILE = 2_000_000


class ProposalError(ValueError):
    pass


def _dir(data_dir: Path, pid: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", pid):
        raise ProposalError("no such proposal")
    return Path(data_dir) / "proposals" / pid


def candidate(base: Ruleset, path: str, text: str, into: Path) -> Path:
    """A ruleset folder = the base ruleset with one file added or replaced."""
    if not EDITABLE.match(path) or ".." in path:
        raise ProposalError("the file must be a .ttl path under rules/ or shapes/ (a–z, 0–9, -, _ and /)")
    if len(text.encode("utf-8")) > MAX_FILE:
        raise ProposalError(f"the file is larger than {MAX_FILE} bytes")
    shutil.rmtree(into, ignore_errors=True)
    for folder in ("ontology", "rules", "shapes", "queries"):
        if (base.directory / folder).is_dir():
            shutil.copytree(base.directory / folder, into / folder)
    (into / path).parent.mkdir(parents=True, exist_ok=True)
    (into / path).write_text(text, encoding="utf-8")
    return into


def propose(data_dir: Path, base: Ruleset, catalogue, author: str, path: str, text: str,
            cases_dir: Path | None = None) -> dict:
    pid = uuid.uuid4().hex
    folder = _dir(data_dir, pid)
    folder.mkdir(parents=True)
    head_dir = candidate(base, path, text, folder / "ruleset")
    problems = check.check_ruleset(head_dir, reasoner=True, cases_dir=cases_dir or head_dir / "no-cases")
    report = None
    if not problems:
        head = load(head_dir)
        report = impact.analyse(catalogue, base, head)
    meta = {"id": pid, "author": author, "path": path, "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "base": base.hash, "status": "rejected_by_check" if problems else "proposed", "problems": problems,
            "impact": report, "approved_by": None}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return meta


def get(data_dir: Path, pid: str) -> dict:
    path = _dir(data_dir, pid) / "meta.json"
    if not path.is_file():
        raise ProposalError("no such proposal")
    return json.loads(path.read_text(encoding="utf-8"))


def all_proposals(data_dir: Path) -> list[dict]:
    folder = Path(data_dir) / "proposals"
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*/meta.json")] if folder.is_dir() else []
    return sorted(metas, key=lambda m: m["created"], reverse=True)


def approve(data_dir: Path, pid: str, approver: str, current: Ruleset) -> Ruleset:
    """Publish a checked proposal as a new ruleset version (by a regulator other than its author)."""
    meta = get(data_dir, pid)
    if meta["status"] != "proposed":
        raise ProposalError(f"the proposal is {meta['status']}, not awaiting approval")
    if meta["author"] == approver:
        raise ProposalError("a proposal must be approved by a second regulator, not its author")
    if meta["base"] != current.hash:
        raise ProposalError("the rules have changed since this proposal was made; propose it again")
    head = load(_dir(data_dir, pid) / "ruleset")
    published = archive(head, data_dir)
    (Path(data_dir) / ARCHIVE_FOLDER / "current").write_text(head.hash[:12] + "\n", encoding="utf-8")
    meta.update(status="published", approved_by=approver, published=head.hash)
    (_dir(data_dir, pid) / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return load(published)


def current_archived(data_dir: Path) -> Path | None:
    marker = Path(data_dir) / ARCHIVE_FOLDER / "current"
    if not marker.is_file():
        return None
    folder = marker.parent / marker.read_text(encoding="utf-8").strip()
    if not folder.is_dir():
        raise RulesetError(f"{marker} names {folder.name}, which is not in {marker.parent}")
    return folder

"""Regulators maintain the rules in the web app: propose a changed Turtle file, see the check and
the impact on the catalogue, and publish it when a second regulator approves. The audit trail."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, redirect, render_template, request, url_for

from kravbib import audit, proposals

from .auth import current_user, require
from .services import services

bp = Blueprint("regulate", __name__, url_prefix="/regulate")


def _data() -> Path:
    return Path(services().data_dir)


@bp.get("/")
@require("propose_rules")
def index():
    rs = services().rs
    files = sorted(p.relative_to(rs.directory).as_posix()
                   for folder in ("rules", "shapes") for p in (rs.directory / folder).rglob("*.ttl"))
    return render_template("regulate.html", proposals=proposals.all_proposals(_data()), files=files, rs=rs)


@bp.get("/file")
@require("propose_rules")
def current_file():
    """The current text of one rules/shapes file, to start an edit from."""
    path = request.args.get("path", "")
    if not proposals.EDITABLE.match(path) or ".." in path:
        abort(404)
    target = services().rs.directory / path
    if not target.is_file():
        abort(404)
    return target.read_text(encoding="utf-8"), 200, {"Content-Type": "text/turtle; charset=utf-8"}


@bp.post("/propose")
@require("propose_rules")
def propose():
    path = request.form.get("path", "").strip()
    upload = request.files.get("file")
    text = upload.read().decode("utf-8", errors="replace") if upload and upload.filename else request.form.get("text", "")
    try:
        # the check of `kravbib rules check` (Turtle, SHACL-SHACL, metadata, SPARQL, HermiT); the rule
        # tests in tests/cases belong to the code repository and are run there, not on a proposal
        meta = proposals.propose(_data(), services().rs, services().catalogue, current_user().name, path, text)
    except proposals.ProposalError as exc:
        return render_template("regulate.html", proposals=proposals.all_proposals(_data()), files=[],
                               rs=services().rs, error=str(exc), path=path, text=text), 400
    return redirect(url_for("regulate.show", pid=meta["id"]))


@bp.get("/<pid>")
@require("propose_rules")
def show(pid: str):
    try:
        meta = proposals.get(_data(), pid)
    except proposals.ProposalError:
        abort(404)
    return render_template("proposal.html", p=meta, user=current_user())


@bp.post("/<pid>/approve")
@require("approve_rules")
def approve(pid: str):
    svc = services()
    user = current_user()
    try:
        previous = svc.rs
        new = proposals.approve(_data(), pid, user.name, previous)
    except proposals.ProposalError as exc:
        meta = proposals.get(_data(), pid) if (_data() / "proposals" / pid).is_dir() else None
        if meta is None:
            abort(404)
        return render_template("proposal.html", p=meta, user=user, error=str(exc)), 400
    svc.publish(new, previous, user.name)
    return redirect(url_for("regulate.show", pid=pid))


@bp.get("/audit")
@require("read_audit")
def audit_trail():
    return render_template("audit.html", events=audit.events(services().store))

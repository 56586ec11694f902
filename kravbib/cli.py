"""The kravbib command line: assess products and maintain the rules.

Exit codes: 0 done, 1 the ruleset has problems (or an internal error), 2 invalid input or usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__, describe, ruleset
from .assess import assess_text
from .render import to_text, to_turtle


def _date(text: str):
    import datetime as dt
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def _input_format(path: str, given: str | None) -> str:
    if given:
        return given
    return "turtle" if path.endswith((".ttl", ".turtle")) else "json"


def _ruleset(args):
    """The ruleset named by --ruleset: a folder, an archived version (hash or number), or the shipped one."""
    return ruleset.get(ruleset.resolve(args.ruleset, getattr(args, "data", None)))


def cmd_assess(args) -> int:
    rs = _ruleset(args)
    try:
        data = _read_input(args.file)
    except OSError as exc:
        print(f"kravbib: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        a = assess_text(data, rs, _input_format(args.file, args.input_format), on=args.on, at=args.at)
    except describe.InvalidInput as exc:
        if args.format == "json":
            json.dump({"errors": [p.to_json() for p in exc.problems]}, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        lang = args.lang
        print("kravbib: " + ("ogiltig produktbeskrivning:" if lang == "sv" else "invalid product description:"),
              file=sys.stderr)
        for p in exc.problems:
            value = f" ({p.value!r})" if p.value is not None else ""
            print(f"  {p.field}{value}: {p.message[lang]}", file=sys.stderr)
        return 2
    _print_assessment(a, args)
    return 0


def _print_assessment(a, args) -> None:
    if args.format == "json":
        json.dump(a.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "text":
        sys.stdout.write(to_text(a.to_json(), args.lang))
    else:
        sys.stdout.write(to_turtle(a))


def cmd_rules_version(args) -> int:
    rs = _ruleset(args)
    print(f"version {rs.version}\nhash {rs.hash}")
    return 0


def cmd_rules_impact(args) -> int:
    from . import impact

    repo = Path(__file__).resolve().parent.parent
    with impact.ruleset_at(args.base, repo) as base_dir:
        base = ruleset.load(base_dir)
        head = ruleset.load(Path(args.head)) if args.head else _ruleset(args)
        cat = _catalogue(args, rs=head, ensure=False)      # read-only: the store's current ruleset is not changed
        report = impact.analyse(cat, base, head, on=args.on, progress=impact.progress_bar(), jobs=args.jobs)
    if args.format == "json":
        data = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "html":
        data = impact.to_html(report)
    else:
        data = impact.to_text(report)
    _write_output(data.encode("utf-8"), args.output)
    return 0


def cmd_rules_check(args) -> int:
    from .check import check_ruleset  # HermiT and meta-SHACL: only loaded when asked for
    problems = check_ruleset(Path(args.ruleset) if args.ruleset else None, reasoner=not args.no_reasoner)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"kravbib rules check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("kravbib rules check: ok")
    return 0


# --- the catalogue and queries ---------------------------------------------------------------
def _catalogue(args, rs=None, ensure: bool = True):
    from .catalogue import Catalogue
    from .store import open_store

    rs = rs or _ruleset(args)
    store = open_store(args.data, args.endpoint, args.update_endpoint)
    cat = Catalogue(store, rs, archive_dir=args.data)
    if ensure:
        cat.ensure_ruleset()
    return cat


def _write_output(data: bytes, output: str | None) -> None:
    if not output:
        sys.stdout.buffer.write(data)
        return
    import os
    import tempfile

    target = Path(output)
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)                       # the file appears whole or not at all


def _print_rows(rows: list[dict], columns: list[str], fmt: str) -> None:
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({c: ("" if r.get(c) is None else r.get(c)) for c in columns} for r in rows)
        return
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())


def cmd_catalogue_add(args) -> int:
    cat = _catalogue(args)
    data = _read_input(args.file)
    a = cat.save(data, _input_format(args.file, args.input_format))
    j = a.to_json()
    print(f"{j['product']['id']}: {j['qualification']['status']}, "
          f"{j['classification']['regulation'] or '-'} {j['classification']['class'] or '-'}, "
          f"{len(j['requirements'])} requirements, ruleset {j['ruleset']['version']} ({j['ruleset']['hash'][:12]})")
    return 0


def cmd_catalogue_list(args) -> int:
    from .catalogue import Filters

    cat = _catalogue(args, ensure=False)
    rows = cat.list(Filters(args.qualification, args.device_class, args.requirement, args.condition,
                            args.category, args.region))
    _print_rows(rows, ["id", "name", "qualification", "class", "evidence_tier", "ruleset_version", "saved_at"], args.format)
    return 0


def cmd_catalogue_show(args) -> int:
    cat = _catalogue(args, ensure=False)
    _print_assessment(cat.assess(args.id, on=args.on), args)
    return 0


def cmd_catalogue_remove(args) -> int:
    _catalogue(args).remove(args.id)
    print(f"removed {args.id}")
    return 0


def cmd_catalogue_export(args) -> int:
    _write_output(_catalogue(args, ensure=False).export(args.format), args.output)
    return 0


def cmd_catalogue_import(args) -> int:
    cat = _catalogue(args)
    ids = cat.import_dump(_read_input(args.file), args.format)
    print(f"imported {len(ids)} product(s): {', '.join(ids)}")
    return 0


def cmd_query(args) -> int:
    from .queries import load_queries, parse_header, QueryError

    queries = load_queries(Path(args.ruleset) / "queries" if args.ruleset else None)
    path = Path(args.name)
    if args.name in queries:
        named = queries[args.name]
    elif path.is_file():
        named = parse_header(path) if "#+ summary:" in path.read_text(encoding="utf-8") else None
        text = path.read_text(encoding="utf-8")
    else:
        raise QueryError(f"no named query {args.name!r} and no such file; named queries: {', '.join(queries)}")
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--param needs NAME=VALUE, got {item!r}")
        params[key] = value
    if named is not None:
        text = named.bind(params)
    elif params:
        raise QueryError("--param is only for named queries (files with a '#+ summary:' header)")
    cat = _catalogue(args, ensure=False)            # reading only: the store is not changed
    result = cat.store.run(text, limit=args.limit)
    if result.kind == "graph":
        sys.stdout.write(result.graph.serialize(format="turtle"))
        return 0
    if result.kind == "ask":
        print("true" if result.boolean else "false")
        return 0
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        rows = [{v: str(t) for v, t in row.items()} for row in result.rows]
        _print_rows(rows, result.vars, args.format)
    if result.truncated:
        print(f"kravbib: only the first {args.limit} rows are shown (--limit)", file=sys.stderr)
    if named is not None and named.page:
        from . import catalogue_index

        after = named.next_after(result.rows)
        if after is not None:
            print(f"kravbib: a page of {named.page} products; the next: --param after={after}", file=sys.stderr)
        elif not catalogue_index.is_current(cat.store):
            print("kravbib: this store has no catalogue index yet, so paged queries list nothing; "
                  "`kravbib serve`, `kravbib catalogue add` or `import` builds it", file=sys.stderr)
    return 0


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the passwords differ")
    return first


def _audit(args, action: str, target: str) -> None:
    from . import audit
    from .store import open_store

    store = open_store(args.data, args.endpoint, args.update_endpoint)
    try:
        audit.record(store, audit.event(None, action, audit.agent(target)))
    finally:
        store.close()


def cmd_users(args) -> int:
    from .accounts import Accounts, AccountError

    accounts = Accounts(args.data)
    try:
        if args.users_command == "add":
            user = accounts.add(args.name, args.role, _password())
            _audit(args, "account.add", user.name)
            print(f"added {user.name} ({user.role})")
        elif args.users_command == "list":
            for u in accounts.list():
                print(f"{u.name}\t{u.role}\t{'disabled' if u.disabled else 'active'}")
        elif args.users_command == "disable":
            accounts.disable(args.name)
            _audit(args, "account.disable", args.name)
            print(f"disabled {args.name}")
        elif args.users_command == "token":
            token = accounts.new_token(args.name)
            _audit(args, "account.token", args.name)
            print(token)
            print("kravbib: the token is shown only now; it is stored as a hash", file=sys.stderr)
    except AccountError as exc:
        print(f"kravbib: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_backup(args) -> int:
    """Copy an embedded data folder consistently: the Oxigraph store (its own online backup),
    the accounts database (SQLite's backup API), archived rulesets, proposals and the secret key."""
    import shutil
    import sqlite3

    from .store import EmbeddedStore

    source, target = Path(args.data), Path(args.target)
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target} exists and is not empty")
    if not (source / "CURRENT").exists() and not any(source.glob("*.sst")) and not (source / "accounts.sqlite").exists():
        raise ValueError(f"{source} holds no kravbib store")
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    store = EmbeddedStore(source)
    try:
        store.backup(tmp / "store")
    finally:
        store.close()
    if (source / "accounts.sqlite").exists():
        with sqlite3.connect(source / "accounts.sqlite") as src, sqlite3.connect(tmp / "accounts.sqlite") as dst:
            src.backup(dst)
    for name in ("rulesets", "proposals"):
        if (source / name).is_dir():
            shutil.copytree(source / name, tmp / name)
    if (source / "secret_key").exists():
        shutil.copy2(source / "secret_key", tmp / "secret_key")
    if target.exists():
        target.rmdir()
    tmp.rename(target)
    print(f"backed up {source} to {target}")
    return 0


def cmd_restore(args) -> int:
    """Restore a backup made by `kravbib backup` into an empty data folder."""
    import shutil

    backup, target = Path(args.backup), Path(args.data)
    if not (backup / "store").is_dir():
        raise ValueError(f"{backup} is not a kravbib backup (no store/ inside)")
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target} exists and is not empty; restore into a new folder")
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(backup / "store", tmp)
    for name in ("accounts.sqlite", "secret_key"):
        if (backup / name).exists():
            shutil.copy2(backup / name, tmp / name)
    for name in ("rulesets", "proposals"):
        if (backup / name).is_dir():
            shutil.copytree(backup / name, tmp / name)
    if target.exists():
        target.rmdir()
    tmp.rename(target)
    print(f"restored {backup} into {target}")
    return 0


def cmd_serve(args) -> int:
    import signal

    import waitress

    from webapp import create_app

    app = create_app({"KRAVBIB_DATA": args.data, "KRAVBIB_ENDPOINT": args.endpoint,
                      "KRAVBIB_UPDATE_ENDPOINT": args.update_endpoint, "KRAVBIB_RULESET": args.ruleset})
    services = app.extensions["kravbib"]
    if services.workers is not None:
        services.workers.start()        # the SPARQL query workers, each with the store's snapshot open
    print(f"kravbib: serving http://{args.host}:{args.port}/ on {services.store.describe()}", file=sys.stderr,
          flush=True)
    # SIGTERM ends waitress as Ctrl-C does (SystemExit), so that the workers and snapshots are cleaned up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="kravbib")
    finally:
        services.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kravbib", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"kravbib {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--ruleset", metavar="DIR", help="ruleset folder (default: the shipped rules)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("assess", parents=[common], help="assess one product description")
    p.add_argument("file", help="product description (JSON or Turtle), or - for standard input")
    p.add_argument("--format", choices=("json", "text", "turtle"), default="json")
    p.add_argument("--input-format", choices=("json", "turtle"), help="default: from the file name (.ttl = turtle)")
    p.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of text output and messages")
    p.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="judge validity dates as of this day (default: today)")
    p.add_argument("--at", metavar="TIMESTAMP", help="record this as the assessment time (to reproduce an earlier assessment)")
    p.add_argument("--data", metavar="DIR", default="kravbib-data",
                   help="data folder whose archived rulesets --ruleset VERSION may name (default ./kravbib-data)")
    p.set_defaults(func=cmd_assess)

    store = argparse.ArgumentParser(add_help=False)
    where = store.add_argument_group("store (one of)")
    where.add_argument("--data", metavar="DIR", default="kravbib-data",
                       help="embedded Oxigraph store folder (default: ./kravbib-data; created on first use)")
    where.add_argument("--endpoint", metavar="URL", help="SPARQL 1.1 query endpoint of a remote store")
    where.add_argument("--update-endpoint", metavar="URL", help="its update endpoint (default: the query endpoint)")

    cat = sub.add_parser("catalogue", help="the product catalogue").add_subparsers(dest="catalogue_command", required=True)
    c = cat.add_parser("add", parents=[common, store], help="assess a product and save it (new or updated)")
    c.add_argument("file", help="product description (JSON or Turtle), or - for standard input")
    c.add_argument("--input-format", choices=("json", "turtle"))
    c.set_defaults(func=cmd_catalogue_add)
    c = cat.add_parser("list", parents=[common, store], help="list and filter catalogued products")
    c.add_argument("--qualification", choices=("medical_device", "ivd_medical_device", "not_medical_device"))
    c.add_argument("--class", dest="device_class", choices=("I", "IIa", "IIb", "III", "A", "B", "C", "D"))
    c.add_argument("--requirement", metavar="ID", help="only products a requirement applies to")
    c.add_argument("--condition", metavar="ICD10", help="only products for a condition (code prefix)")
    c.add_argument("--category", metavar="CATEGORY", help="only products in a catalogue category")
    c.add_argument("--region", metavar="PROFILE", help="only products assessed for a region profile")
    c.add_argument("--format", choices=("table", "json", "csv"), default="table")
    c.set_defaults(func=cmd_catalogue_list)
    c = cat.add_parser("show", parents=[common, store], help="show a product's assessment (current ruleset)")
    c.add_argument("id")
    c.add_argument("--format", choices=("json", "text", "turtle"), default="json")
    c.add_argument("--lang", choices=("sv", "en"), default="sv")
    c.add_argument("--on", type=_date, metavar="YYYY-MM-DD")
    c.set_defaults(func=cmd_catalogue_show)
    c = cat.add_parser("remove", parents=[common, store], help="remove a product and its assessment")
    c.add_argument("id")
    c.set_defaults(func=cmd_catalogue_remove)
    c = cat.add_parser("export", parents=[common, store], help="export the whole store as TriG or N-Quads")
    c.add_argument("--format", choices=("trig", "nquads"), default="trig")
    c.add_argument("--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    c.set_defaults(func=cmd_catalogue_export)
    c = cat.add_parser("import", parents=[common, store], help="import products from a TriG or N-Quads dump")
    c.add_argument("file", help="the dump, or - for standard input")
    c.add_argument("--format", choices=("trig", "nquads"), default="trig")
    c.set_defaults(func=cmd_catalogue_import)

    q = sub.add_parser("query", parents=[common, store], help="run a named query (queries/*.rq) or a SPARQL file")
    q.add_argument("name", help="a named query (see queries/) or a .rq file")
    q.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a query parameter (repeatable)")
    q.add_argument("--format", choices=("table", "json", "csv"), default="table")
    q.add_argument("--limit", type=int, default=10000, help="at most this many rows (default 10000)")
    q.set_defaults(func=cmd_query)

    users = sub.add_parser("users", help="manage accounts (admin)").add_subparsers(dest="users_command", required=True)
    u = users.add_parser("add", parents=[store], help="add an account; the password is read from standard input or a prompt")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=("vendor", "regulator", "integrator", "admin"))
    u.set_defaults(func=cmd_users)
    u = users.add_parser("list", parents=[store], help="list accounts")
    u.set_defaults(func=cmd_users)
    u = users.add_parser("disable", parents=[store], help="disable an account and revoke its tokens")
    u.add_argument("name")
    u.set_defaults(func=cmd_users)
    u = users.add_parser("token", parents=[store], help="issue an API token for an account (shown once)")
    u.add_argument("name")
    u.set_defaults(func=cmd_users)

    b = sub.add_parser("backup", help="back up an embedded data folder (store, accounts, rulesets)")
    b.add_argument("target", help="a new or empty folder for the backup")
    b.add_argument("--data", metavar="DIR", default="kravbib-data", help="the data folder (default ./kravbib-data)")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="restore a backup into a new data folder")
    r.add_argument("backup", help="a folder made by kravbib backup")
    r.add_argument("--data", metavar="DIR", default="kravbib-data", help="the (new or empty) data folder")
    r.set_defaults(func=cmd_restore)

    sv = sub.add_parser("serve", parents=[common, store], help="run the web app and SPARQL endpoint")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    sv.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
    sv.set_defaults(func=cmd_serve)

    rules = sub.add_parser("rules", help="maintain the rules").add_subparsers(dest="rules_command", required=True)
    v = rules.add_parser("version", parents=[common], help="print the ruleset version and content hash")
    v.set_defaults(func=cmd_rules_version)
    im = rules.add_parser("impact", parents=[common, store],
                          help="what a rule change does to the catalogued products (base vs head ruleset)")
    im.add_argument("--base", required=True, metavar="DIR|GIT-REF", help="the ruleset before the change")
    im.add_argument("--head", metavar="DIR", help="the ruleset after the change (default: the current one)")
    im.add_argument("--format", choices=("text", "json", "html"), default="text")
    im.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="judge validity dates as of this day (default: today)")
    im.add_argument("--output", metavar="FILE", help="write the report to FILE")
    im.add_argument("--jobs", type=int, metavar="N",
                    help="worker processes (default: one per core from 200 products on, else none)")
    im.set_defaults(func=cmd_rules_impact)
    c = rules.add_parser("check", parents=[common], help="check the ruleset: Turtle, SHACL-SHACL, metadata, rule tests, HermiT")
    c.add_argument("--no-reasoner", action="store_true", help="skip the HermiT consistency check (needs Java)")
    c.set_defaults(func=cmd_rules_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .catalogue import NotFound
    from .queries import QueryError
    from .store import StoreError

    try:
        return args.func(args)
    except ruleset.RulesetError as exc:
        print(f"kravbib: ruleset problem: {exc}", file=sys.stderr)
        return 1
    except describe.InvalidInput as exc:
        print("kravbib: invalid input:", file=sys.stderr)
        for p in exc.problems:
            value = f" ({p.value!r})" if p.value is not None else ""
            print(f"  {p.field}{value}: {p.message['en']}", file=sys.stderr)
        return 2
    except NotFound as exc:
        print(f"kravbib: no product {exc} in the catalogue", file=sys.stderr)
        return 2
    except (QueryError, ValueError) as exc:
        print(f"kravbib: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        print(f"kravbib: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"kravbib: store problem: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

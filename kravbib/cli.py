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


def cmd_assess(args) -> int:
    rs = ruleset.get(args.ruleset)
    try:
        data = _read_input(args.file)
    except OSError as exc:
        print(f"kravbib: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        a = assess_text(data, rs, _input_format(args.file, args.input_format), on=args.on)
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
    if args.format == "json":
        json.dump(a.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "text":
        sys.stdout.write(to_text(a.to_json(), args.lang))
    else:
        sys.stdout.write(to_turtle(a))
    return 0


def cmd_rules_version(args) -> int:
    rs = ruleset.get(args.ruleset)
    print(f"version {rs.version}\nhash {rs.hash}")
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
    p.set_defaults(func=cmd_assess)

    rules = sub.add_parser("rules", help="maintain the rules").add_subparsers(dest="rules_command", required=True)
    v = rules.add_parser("version", parents=[common], help="print the ruleset version and content hash")
    v.set_defaults(func=cmd_rules_version)
    c = rules.add_parser("check", parents=[common], help="check the ruleset: Turtle, SHACL-SHACL, metadata, rule tests, HermiT")
    c.add_argument("--no-reasoner", action="store_true", help="skip the HermiT consistency check (needs Java)")
    c.set_defaults(func=cmd_rules_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ruleset.RulesetError as exc:
        print(f"kravbib: ruleset problem: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

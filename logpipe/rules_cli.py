"""`logpipe rules`: list the security rules (built in, and a rules file's), grouped by category.

Registered in `logpipe.cli` with `add_rules_parser(commands)`; also runs as
`python -m logpipe.rules_cli`.
"""

from __future__ import annotations

import argparse
import sys
from itertools import groupby
from pathlib import Path

import orjson

from logpipe.errors import LogpipeError
from logpipe.security_rules import Rule, builtin_rules, load_rules

_LISTED = {"id", "name", "category", "description", "mitre", "event_category", "event_type",
           "fields", "status"}  # fmt: skip


def add_rules_parser(commands: argparse._SubParsersAction) -> None:
    """Add the `rules` subcommand to the `logpipe` command."""
    parser = commands.add_parser("rules", help="list the security rules by category")
    _arguments(parser)
    parser.set_defaults(handler=run, error_exit=1)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules-file", metavar="FILE", help="also list this file's rules")
    parser.add_argument("--category", help="only this category (e.g. sql_injection)")
    parser.add_argument("--json", action="store_true", help="one JSON object per rule")


def rules_to_list(rules_file: str | None = None, category: str | None = None) -> list[Rule]:
    """Built-in rules, then a rules file's (which replace built-ins of the same id)."""
    rules = {rule.id: rule for rule in builtin_rules()}
    if rules_file:
        rules.update((rule.id, rule) for rule in load_rules(Path(rules_file)))
    chosen = [r for r in rules.values() if category is None or r.category == category]
    return sorted(chosen, key=lambda r: r.category)


def run(args: argparse.Namespace) -> int:
    """Print the rules: a readable listing, or JSON lines with `--json`."""
    rules = rules_to_list(args.rules_file, args.category)
    out = sys.stdout
    if args.json:
        for rule in rules:
            record = rule.model_dump(include=_LISTED)
            out.write(orjson.dumps(record).decode() + "\n")
        return 0
    for category, group in groupby(rules, key=lambda r: r.category):
        out.write(f"{category}\n")
        for rule in group:
            ecs = f"{','.join(rule.event_category)}/{','.join(rule.event_type)}"
            mitre = ",".join(rule.mitre) or "-"
            out.write(f"  {rule.id:34s} {mitre:22s} {ecs:34s} {rule.name}\n")
            if rule.description:
                out.write(f"  {'':34s} {rule.description}\n")
    out.write(f"{len(rules)} rules\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m logpipe.rules_cli`."""
    parser = argparse.ArgumentParser(prog="logpipe rules", description=__doc__)
    _arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except LogpipeError as exc:
        print(f"logpipe rules: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

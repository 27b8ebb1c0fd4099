"""`logpipe rules`: every built-in rule listed by category with ids, ECS fields and MITRE ids."""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson
import pytest

from logpipe.rules_cli import add_rules_parser, main
from logpipe.security_rules import builtin_rules


def test_listing_names_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for rule in builtin_rules():
        assert rule.id in out
    assert out.rstrip().endswith(f"{len(builtin_rules())} rules")


def test_json_one_rule_per_line_with_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "--category", "ssrf"]) == 0
    rows = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["category"] for r in rows} == {"ssrf"}
    assert all(r["description"] and r["mitre"] and r["event_category"] for r in rows)


def test_every_builtin_rule_is_documented() -> None:
    for rule in builtin_rules():
        assert rule.description, rule.id
        assert rule.mitre, rule.id


def test_rules_file_rules_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: [{id: acme.x, name: X, category: acme, patterns: [xyz]}]\n")
    assert main(["--rules-file", str(path), "--category", "acme"]) == 0
    assert "acme.x" in capsys.readouterr().out
    path.write_text("rules: [{id: Bad Id, name: X, category: acme, patterns: [x]}]\n")
    assert main(["--rules-file", str(path)]) == 1


def test_registers_as_a_subcommand() -> None:
    parser = argparse.ArgumentParser()
    add_rules_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["rules", "--json"])
    assert args.json and args.handler

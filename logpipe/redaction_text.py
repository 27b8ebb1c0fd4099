"""Secret redaction in text: one RE2 set scan finds candidate rules, each candidate's `re` confirms.

Masked secrets become `[REDACTED:<rule id>]` (for example `[REDACTED:email]`); `remove` deletes the
secret text; `hash` writes `hmac:<first 16 hex of HMAC-SHA256>`, the same for the same value.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from functools import cache
from re import Match
from typing import Literal

import re2

from logpipe.secrets_patterns import VALUE_RULES, ValueRule

Mode = Literal["mask", "remove", "hash"]
_SECRET_GROUPS = ("v", "v2", "v3", "v4", "v5", "v6")
# Candidates one rule checks in one value. Past this (a hostile line of thousands of look-alikes,
# `token=1&key=2&...`), the rest of the value is masked: bounded CPU, and nothing leaks.
MAX_CANDIDATES = 1000
# Candidates all rules check in all strings of one event together (`Budget`): past them, a later
# value is masked from its first candidate on, however many fields carry such a line.
EVENT_CANDIDATES = 2 * MAX_CANDIDATES


def make_hasher(key: bytes) -> Callable[[str], str]:
    """Return `value -> "hmac:<16 hex>"`, keyed HMAC-SHA256 so equal values give equal tokens."""
    base = hmac.new(key, digestmod=hashlib.sha256)

    def hash_value(value: str) -> str:
        h = base.copy()
        h.update(value.encode("utf-8", "surrogatepass"))
        return "hmac:" + h.hexdigest()[:16]

    return hash_value


def marker(rule_id: str) -> str:
    """The text a masked secret becomes."""
    return f"[REDACTED:{rule_id}]"


class Budget:
    """The candidates still to check in one text or one event's strings (`EVENT_CANDIDATES`)."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = EVENT_CANDIDATES


class TextRedactor:
    """Applies the enabled value rules, each in its own mode, to strings."""

    def __init__(
        self,
        modes: Mapping[str, Mode],
        hasher: Callable[[str], str] | None = None,
        patterns: Mapping[str, str] | None = None,
    ):
        user = [user_rule(rid, p) for rid, p in (patterns or {}).items() if rid in modes]
        self._rules = [rule for rule in VALUE_RULES if rule.id in modes] + user
        if any(modes[rule.id] == "hash" for rule in self._rules) and hasher is None:
            raise ValueError("hash mode needs a hasher")
        self._set = re2.Set.SearchSet(re2.Options())
        for rule in self._rules:
            self._set.Add(rule.trigger)
        self._set.Compile()
        self._subs = [self._make_sub(rule, modes[rule.id], hasher) for rule in self._rules]

    @staticmethod
    def _make_sub(
        rule: ValueRule, mode: Mode, hasher: Callable[[str], str] | None
    ) -> Callable[[str, Budget], str]:
        index = rule.pattern.groupindex  # numbers: RE2 match objects take no group names
        groups = [index[g] for g in _SECRET_GROUPS if g in index]
        check, match_check, rewrite = rule.check, rule.match_check, rule.rewrite
        mask = marker(rule.id)

        def secret_span(m: Match[str]) -> tuple[int, int]:
            for g in groups:
                if m.start(g) >= 0:
                    return m.span(g)
            return m.span()

        def replaced(secret: str) -> str:
            return mask if mode == "mask" else "" if mode == "remove" else hasher(secret)  # type: ignore[misc]

        def new_text(secret: str) -> str:
            return rewrite(secret, replaced) if rewrite else replaced(secret)

        def replace(m: Match[str]) -> str:
            start, end = secret_span(m)
            text = m.string
            return text[m.start() : start] + new_text(text[start:end]) + text[end : m.end()]

        sub, search = rule.pattern.sub, rule.pattern.search
        name_check = rule.name_check
        if check is None and match_check is None and name_check is None:
            return lambda text, _budget: sub(replace, text)  # every candidate is a secret
        name = index.get("k", 0)
        fixed = mask if mode == "mask" and rewrite is None else None  # what every secret becomes

        def checked(text: str, shared: Budget) -> str:
            # a candidate the checks refuse is retried one character later, so a refused
            # look-alike cannot hide a real secret that overlaps it; spans read inline (`regs`):
            # a hostile value brings thousands of candidates
            out: list[str] = []
            pos = last = 0
            budget = allowed = min(MAX_CANDIDATES, shared.left)
            while (m := search(text, pos)) is not None:
                budget -= 1
                spans = m.regs
                if budget < 0:  # fail closed for the rest of a hostile value
                    out += (text[last : spans[0][0]], mask)
                    last = len(text)
                    break
                if name_check is not None:
                    name_start, name_end = spans[name]
                    if not name_check(text[name_start:name_end]):
                        pos = spans[0][0] + 1
                        continue
                for g in groups:
                    start, end = spans[g]
                    if start >= 0:
                        break
                else:
                    start, end = spans[0]
                if (match_check is None or match_check(m)) and (
                    check is None or check(text[start:end])
                ):
                    out += (text[last:start], fixed or new_text(text[start:end]))
                    match_start, match_end = spans[0]
                    last, pos = end, max(match_end, match_start + 1)
                else:
                    pos = spans[0][0] + 1
            shared.left -= allowed - max(budget, 0)
            if not out:
                return text
            out.append(text[last:])
            return "".join(out)

        return checked

    def candidates(self, text: str) -> list[int] | None:
        """Indices of rules whose trigger occurs in `text` (one linear-time pass), or None."""
        return self._set.Match(text.encode("utf-8", "surrogatepass"))

    def apply(self, text: str, candidates: list[int], budget: Budget | None = None) -> str:
        """Run the candidate rules (from `candidates` on this or a containing text) over `text`,
        checking at most the `budget`'s candidates (one of its own where none is given)."""
        budget = budget or Budget()
        for i in sorted(candidates):
            text = self._subs[i](text, budget)
        return text

    def redact(self, text: str) -> str:
        """Return `text` with every secret the enabled rules confirm replaced."""
        found = self.candidates(text)
        return self.apply(text, found) if found else text


def user_rule(rule_id: str, pattern: str) -> ValueRule:
    """A pipeline file's value pattern: RE2 syntax, so the trigger and the confirmation are
    linear-time; its group `v`, if any, is the secret."""
    return ValueRule(rule_id, pattern, re2.compile(pattern))  # type: ignore[arg-type]


@cache
def _default() -> TextRedactor:
    return TextRedactor(dict.fromkeys((rule.id for rule in VALUE_RULES), "mask"))


def redact_text(s: str) -> str:
    """Mask every built-in secret kind in `s` (the worker's own log lines, URLs, settings)."""
    try:
        return _default().redact(s)
    except Exception:  # never let a log line through unredacted, never raise
        return "[REDACTED:redact_failure]"

"""Grok expressions: syntax, translation to `regex`, captures, errors, pattern files, time limit."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.errors import ConfigError
from logpipe.grok.expression import GrokError, to_float, to_int
from logpipe.grok.library import PatternLibrary, load_patterns_dir, parse_patterns
from logpipe.grok.prefilter import checks

LIB = PatternLibrary("v1")


def cap(expression: str, text: str, **kw) -> dict | None:
    return (
        PatternLibrary(**kw).compile(expression).captures_of(text)
        if kw
        else (LIB.compile(expression).captures_of(text))
    )


def test_reference_forms():
    assert cap("%{WORD} %{INT:n} %{NUMBER:f:float} %{INT:i:int}", "go 7 2.5 42") == {
        "n": "7",
        "f": 2.5,
        "i": 42,
    }


def test_unnamed_references_do_not_capture():
    g = LIB.compile("%{IP} %{WORD:w}")
    assert [c.field for c in g.captures] == ["w"]
    assert g.captures_of("10.0.0.1 hello") == {"w": "hello"}


def test_bracket_and_dotted_fields_nest():
    got = cap(
        "%{IP:[source][address]} %{INT:source.port:int} %{WORD:@metadata.kind}", "1.2.3.4 80 x"
    )
    assert got == {"source": {"address": "1.2.3.4", "port": 80}, "@metadata": {"kind": "x"}}


def test_inline_named_groups_python_and_oniguruma_styles():
    got = cap(r"(?<[a][b]>\d+)-(?P<c>\w+)-(?<d.e>x)", "12-ab-x")
    assert got == {"a": {"b": "12"}, "c": "ab", "d": {"e": "x"}}


def test_lookbehind_is_not_a_named_group():
    assert cap(r"(?<=id=)%{INT:id}(?<!x)", "user id=42") == {"id": "42"}


def test_named_back_reference():
    assert cap(r"(?<q>['\"])%{WORD:w}\k<q>", "say 'hi'") == {"q": "'", "w": "hi"}
    assert cap(r"(?<q>['\"])%{WORD:w}\k<q>", "say 'hi\"") is None


def test_atomic_groups_and_possessive_quantifiers():
    assert cap(r"(?>a+)b (?<x>c++)", "aaab ccc") == {"x": "ccc"}
    assert cap(r"^(?<x>a++)a$", "aaaa") is None  # possessive gives nothing back


def test_search_not_anchored_unless_asked():
    assert cap("%{INT:n}", "abc 123 def") == {"n": "123"}
    assert cap("^%{INT:n}$", "abc 123 def") is None
    assert cap("^%{INT:n}$", "123") == {"n": "123"}


def test_anchors_are_line_anchors_like_oniguruma():
    assert cap("^%{WORD:w}$", "first line\nsecond") == {"w": "second"}


def test_oniguruma_m_flag_means_dotall():
    assert cap(r"(?m)a(?<x>.+)z", "a\nb\nz") == {"x": "\nb\n"}


def test_oniguruma_hex_escape_and_posix_classes():
    assert cap(r"(?<h>\h+) (?<w>[[:alpha:]]+)", "zz 0fA9 abc") == {"h": "0fA9", "w": "abc"}
    assert cap(r"(?<h>[\h-]+)", "x ab-12") == {"h": "ab-12"}


def test_plain_groups_do_not_capture():
    g = LIB.compile(r"(a|b)+ %{WORD:w}")
    assert g.regex.groups == 1 and g.captures_of("ab x") == {"w": "x"}


def test_optional_unmatched_captures_are_omitted():
    assert cap("%{WORD:a}(?: %{INT:b})?(?: %{WORD:c})?", "x") == {"a": "x"}


def test_empty_captures_are_omitted():
    assert cap("a%{DATA:d}b", "ab") == {}


def test_duplicate_field_names_keep_the_non_empty_capture():
    expr = "(?:%{INT:v:int}|%{WORD:v})"
    assert cap(expr, "12") == {"v": 12}
    assert cap(expr, "abc") == {"v": "abc"}


def test_duplicate_non_empty_captures_become_a_list_like_logstash():
    assert cap("%{WORD:w} %{WORD:w}", "a b") == {"w": ["a", "b"]}


def test_conversions_follow_ruby_semantics():
    assert to_int("42") == 42 and to_int(" -7x") == -7 and to_int("abc") == 0
    assert to_int("1.9") == 1
    assert to_float("2.5") == 2.5 and to_float("3e2ms") == 300.0 and to_float("nan") == 0.0
    assert cap("%{NOTSPACE:n:int}", "12ab") == {"n": 12}


def test_csvquoted_reads_doubled_quotes_as_one():
    line = '1,"user ""azlev"" failed, twice",x'
    assert cap('%{INT},"%{PG_CSV_QUOTED:m:csvquoted}",%{WORD}', line) == {
        "m": 'user "azlev" failed, twice'
    }
    assert cap('"%{PG_CSV_QUOTED:m}"', '"a ""b"""') == {"m": 'a ""b""'}  # untyped: as written


def test_unknown_pattern_is_named():
    with pytest.raises(GrokError, match=r"unknown grok pattern %\{NOPE\}"):
        LIB.compile("%{NOPE:x}")


def test_unknown_nested_pattern_names_its_user():
    lib = PatternLibrary(definitions={"OUTER": "%{INNER} x"})
    with pytest.raises(GrokError, match=r"%\{INNER\} \(used by OUTER\)"):
        lib.compile("%{OUTER}")


def test_cycles_are_reported():
    lib = PatternLibrary(definitions={"A": "x%{B}", "B": "y%{A}"})
    with pytest.raises(GrokError, match="refers to itself: A -> B -> A"):
        lib.compile("%{A}")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("(%{WORD:x}", "does not compile"),
        ("%{WORD:x:long}", "unknown type 'long'"),
        ("%{WORD", "unclosed"),
        ("%{ WORD}", "bad grok reference"),
        ("%{WO-RD}", r"unknown grok pattern %\{WO\}"),  # like Logstash: `-RD` is ignored
        ("%{WORD::int}", "field name"),
        (r"\k<nope>", "unknown group"),
        ("[a-z", "unclosed character class"),
    ],
)
def test_bad_expressions(expression, message):
    with pytest.raises(GrokError, match=message):
        LIB.compile(expression)


def test_grok_error_is_a_config_error():
    assert issubclass(GrokError, ConfigError)


def test_pattern_file_format(tmp_path):
    (tmp_path / "app").write_text(
        "# my patterns\n\nAPPID [A-Z]{3}-[0-9]+\n  APPLINE %{APPID:app.id} %{GREEDYDATA:msg}\n"
        "WORD [a-z]+\n"
    )
    (tmp_path / "zz-extra").write_text("EXTRA x+\n")
    table = load_patterns_dir(tmp_path)
    assert table == {
        "APPID": "[A-Z]{3}-[0-9]+",
        "APPLINE": "%{APPID:app.id} %{GREEDYDATA:msg}",
        "WORD": "[a-z]+",
        "EXTRA": "x+",
    }
    lib = PatternLibrary(patterns_dirs=[tmp_path])
    assert lib.compile("%{APPLINE}").captures_of("ABC-12 hi there") == {
        "app": {"id": "ABC-12"},
        "msg": "hi there",
    }
    assert lib.compile("%{WORD:w}").captures_of("ABC def") == {
        "w": "def"
    }  # file overrides built-in
    only = PatternLibrary(patterns_dirs=[tmp_path], files_glob="zz-*")
    assert "APPID" not in only.patterns and "EXTRA" in only.patterns


def test_inline_definitions_override_files(tmp_path):
    (tmp_path / "p").write_text("NAME a+\n")
    lib = PatternLibrary(patterns_dirs=[tmp_path], definitions={"NAME": "b+"})
    assert lib.compile("%{NAME:n}").captures_of("aabb") == {"n": "bb"}


def test_bad_pattern_files(tmp_path):
    with pytest.raises(GrokError, match="expected 'NAME regex'"):
        parse_patterns("JUSTANAME\n", "f")
    with pytest.raises(GrokError, match="not a directory"):
        load_patterns_dir(tmp_path / "missing")


def test_compiles_are_cached():
    assert LIB.compile("%{IP:x}") is LIB.compile("%{IP:x}")


def test_required_literals_prefilter():
    assert checks(r"\[(?:x)\] GET ").literals == ("[x] GET ",)
    assert checks(r"(?i)abc").literals == ()
    assert checks(r"a(?:bc|de)f").literals == ()
    assert checks(r"(?:ab)?cd(?:ef)+").literals == ("cd", "ef")
    assert checks(r'" "\d "').literals == ('" "',)  # ' "' is inside '" "'
    g = LIB.compile(r"%{WORD:w} \[x\]")
    assert g.literals == (" [x]",) and g.captures_of("hi [y]") is None
    assert g.captures_of("hi [x]") == {"w": "hi"}


def test_pathological_user_pattern_times_out():
    # (a|aa)+ stays exponential in every regex release so far; (a+)+ no longer is (2026.11).
    g = PatternLibrary(definitions={"BAD": "^(a|aa)+$"}).compile("%{BAD}")
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        g.search("a" * 60 + "b", timeout=0.2)
    assert time.monotonic() - start < 1.0


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_random_text_never_breaks_matching(text):
    for expr in ("%{COMBINEDAPACHELOG}", "%{SYSLOGLINE}", "%{IP:ip} %{GREEDYDATA:rest}"):
        got = LIB.compile(expr).captures_of(text, timeout=1.0)
        assert got is None or isinstance(got, dict)


def test_dot_matches_a_newline_so_multi_line_messages_are_whole():
    text = "2024-03-16 ERROR boom\nTraceback (most recent call last):\n  File x"
    assert cap("%{NOTSPACE:d} %{LOGLEVEL:l} %{GREEDYDATA:m}", text)["m"] == text[17:]
    assert cap("^%{DATA:first}\n", "a\nb\n") == {"first": "a"}


def test_nested_classes_posix_brackets_and_intersections():
    lib = PatternLibrary(definitions={"P": "(/[[[:alnum:]]_%!$@:.,+~-]*)+"})
    assert lib.compile("%{P:p}").captures_of("/opt/Čierný_Peter/.中 x") == {
        "p": "/opt/Čierný_Peter/.中"
    }
    assert cap(r"(?<c>[a-z&&[^aeiou]]+)", "aabcde") == {"c": "bcd"}
    assert cap(r"(?<c>[^[:space:][:digit:]]+)", "12 ab3") == {"c": "ab"}
    assert cap(r"(?<c>[a[^b]]+)", "bbxab") == {"c": "xa"}


def test_ruby_shorthands_are_ascii_and_posix_brackets_unicode():
    assert cap(r"(?<w>\w+)", "é ab") == {"w": "ab"}
    assert cap(r"(?<d>\d+)", "١٢ 34") == {"d": "34"}
    assert cap(r"(?<s>a\sb)", "a\u00a0b a b") == {"s": "a b"}
    assert cap(r"(?<a>[[:alpha:]]+)", "1 été") == {"a": "été"}


def test_inline_flags_last_to_the_end_of_their_group():
    assert cap(r"(?<x>x(?i)a)x", "xAx") == {"x": "xA"}
    assert cap(r"(?:x(?i)a)x", "xAX") is None
    assert cap(r"(?<x>a(?i:b)c)", "aBc") == {"x": "aBc"}


def test_stacked_and_interval_quantifiers_nest_as_in_ruby():
    assert cap(r"(?<x>(?:ab){1}+)", "abab") == {"x": "abab"}  # `{n}+` repeats, not possessive
    assert cap(r"(?<x>a.?*z)", "a12z") == {"x": "a12z"}  # ?* is * (Onigmo)
    assert cap(r"(?<x>a{2}{2})", "aaaaa") == {"x": "aaaa"}


def test_references_read_like_jls_grok():
    # the name ends where [A-z0-9] ends, the field where its characters end; the rest is ignored
    assert cap("%{INT:n something else}", "x 42") == {"n": "42"}
    assert cap("%{INT - a description}", "x 42") == {}
    assert cap("%{TWO:t=[0-9]{2}} %{TWO:u}", "12 34") == {"t": "12", "u": "34"}


def test_conversions_never_raise_and_keep_what_is_no_long_or_double():
    assert to_int("9" * 5000) == "9" * 5000
    assert to_int("9223372036854775807") == 2**63 - 1
    assert to_int("9223372036854775808x") == "9223372036854775808x"
    assert to_float("9" * 400) == "9" * 400

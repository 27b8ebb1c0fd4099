"""Built-in secret detectors: a cheap RE2 trigger and a precise `re` pattern per rule.

Every confirming pattern starts at a literal or behind a lookbehind that admits one start per
run of characters, and its quantifiers after that are bounded, so a search is linear in the
text (tests feed each rule 64 KB of hostile input).
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass

from logpipe.keynames import WEAK_NAMES, NameMatcher, distinct_tails, looks_random

# Field names whose values are secrets wherever they appear (compared lowercased, `-` as `_`;
# a name also matches as a `_name` suffix or a camelCase tail: `db_password`, `csrfToken`).
DEFAULT_FIELD_NAMES: tuple[str, ...] = (
    "password", "passwd", "pwd", "passphrase", "secret", "secret_key", "token", "access_token",
    "refresh_token", "id_token", "auth_token", "accesstoken", "refreshtoken", "authorization",
    "cookie", "cookies", "api_key", "apikey", "private_key", "privatekey", "client_secret",
    "clientsecret", "credentials", "credential", "session", "session_id", "sessionid",
    "access_key", "secret_access_key", "card_number", "cardnumber", "cvv", "cvc", "ssn",
    "signature", "sig", "api_token", "auth_key", "account_key", "master_key", "private_token",
    "app_secret", "app_key", "appid", "app_id", "passcode", "otp", "jwt", "set_cookie",
)  # fmt: skip
# Names whose values are secrets in text (`k=v`, `k: v`, query strings): the field names, short
# forms that are ambiguous as field names, but not the headers that have their own rules.
_HEADER_NAMES = ("authorization", "cookie", "cookies", "set_cookie")
TEXT_KEY_NAMES: tuple[str, ...] = (
    *(n for n in DEFAULT_FIELD_NAMES if n not in _HEADER_NAMES), "pass", "pw", "auth", "sid",
)  # fmt: skip
_TEXT_KEY = NameMatcher(TEXT_KEY_NAMES)
_WEAK_KEY = NameMatcher(WEAK_NAMES)
COOKIE_ATTRIBUTES = frozenset(
    ("path", "domain", "expires", "max-age", "samesite", "secure", "httponly", "priority",
     "partitioned", "version", "comment")
)  # fmt: skip

_B64URL = r"[A-Za-z0-9_-]"
_VALUE_GUARD = r"(?!\[REDACTED|hmac:[0-9a-f]{16})"  # never re-redact our own output
# `key` = value, `"key": "value"`, `key: value`: one start per run of name characters (not
# right after `=` or `:`, where a value starts), a bounded name; the name itself is then
# checked (`NameMatcher`), not spelled out here. The lookbehind comes after the name's first
# character, so a search skips to a letter before trying it; the possessive runs give back
# nothing, as what follows them could not match a character they took. Case is ignored only
# where it matters (`re.IGNORECASE` on the whole searches slower): the words, the guard and the
# name's first letter (A-Z, a-z and the four letters the flag folds to them).
_ANY_CASE_GUARD = f"(?i:{_VALUE_GUARD})"
_KV = (
    r"(?P<k>[A-Za-z_\u0130\u0131\u017f\u212a](?<![\w.:=-].)[\w.-]{0,127}+)[\"']?[ \t]*[:=][ \t]*"
    rf"(?:\"{_ANY_CASE_GUARD}(?P<v>[^\"\r\n]++)\"|'{_ANY_CASE_GUARD}(?P<v2>[^'\r\n]++)'"
    rf"|(?:(?i:bearer|basic|token)[ \t]+)?{_ANY_CASE_GUARD}(?P<v3>[^\s&;,\"'<>()\[\]{{}}]+))"
)
_CLI = (
    r"(?<![\w-])--?(?:password|passwd|pass|pwd|pw|passphrase|token|secret|api[-_]?key"
    r"|access[-_]?key|secret[-_]?key|auth[-_]?token|client[-_]?secret)(?:=|[ \t]+)"
    rf"(?:\"{_VALUE_GUARD}(?P<v>[^\"\r\n]+)\"|'{_VALUE_GUARD}(?P<v2>[^'\r\n]+)'"
    rf"|{_VALUE_GUARD}(?P<v3>[^\s\"']+))"
    r"|(?<=[ \t])-p(?P<v4>[^\s'\"\-\[][^\s'\"]*)"  # MySQL clients only: `_cli_context`
    r"|(?<![\w-])(?:-u|--user)[ \t]+['\"]?[^\s:'\"@]{1,64}:(?P<v5>[^\s'\"@]+)"
    r"|\bsshpass[ \t]+-p[ \t]*['\"]?(?P<v6>[^\s'\"]+)"
)
_MYSQL = re.compile(r"\b(?:mysql|mysqldump|mysqladmin|mariadb|mysqlimport|mysqlshow|mysqlcheck)\b")


def _cli_context(m: re.Match[str]) -> bool:
    """`-p<password>` counts only after a MySQL client on the same line (within 200 chars)."""
    if m.start("v4") < 0:
        return True
    line_start = m.string.rfind("\n", max(0, m.start() - 200), m.start()) + 1
    return _MYSQL.search(m.string, max(line_start, m.start() - 200), m.start()) is not None


# sudo's log line (`lib/eventlog/eventlog.c` in sudo's source) reads `<user> : [<reason> ; ]
# [HOST=<host> ; ]TTY=<tty> ; PWD=<cwd> ; USER=<run-as user> ; ... COMMAND=<command>`: there
# `PWD` is the user's working directory, not a password. Exempt only that layout: the name
# `PWD` as sudo spells it, the whole field before it `TTY=<tty> ; ` (after `: ` or `; `) with no
# `COMMAND=` (the command's arguments follow that) earlier on its line, an unquoted absolute
# path that runs to ` ; USER=` on the same line.
_SUDO_TTY = re.compile(r"(?<=[:;] )TTY=[^\s;]{1,64} ; ")
_SUDO_TTY_CHARS = 72  # `TTY=`, the longest tty `_SUDO_TTY` takes, ` ; `
_SUDO_HEAD_CHARS = 1024  # how far before `TTY=` a `COMMAND=` on its line is looked for
_PATH_MAX = 4096  # Linux's longest path, with its NUL


def _not_sudo_cwd(m: re.Match[str]) -> bool:
    """False for sudo's `PWD=<working directory>` (see `_SUDO_TTY`), True for any other match."""
    text, start, value = m.string, m.start(), m.start("v3")
    if value < 0 or text[value] != "/" or m.group("k") != "PWD":
        return True
    tty = text.rfind("TTY=", max(0, start - _SUDO_TTY_CHARS), start)
    if tty < 0 or _SUDO_TTY.fullmatch(text, tty, start) is None:
        return True
    head = max(0, tty - _SUDO_HEAD_CHARS)
    line_start = text.rfind("\n", head, tty) + 1
    if text.find("COMMAND=", max(head, line_start), tty) >= 0:
        return True
    end = text.find(" ; ", value, value + _PATH_MAX + 3)
    return end < 0 or not text.startswith(" ; USER=", end) or "\n" in text[value:end]


_IBAN_LENGTHS = {  # country -> IBAN length
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


# Digit bytes to their values, and to their Luhn-doubled values (2d, minus 9 when over 9).
_VALUE = bytes.maketrans(b"0123456789", bytes(range(10)))
_DOUBLED = bytes.maketrans(b"0123456789", bytes((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)))


def luhn_ok(digits: str) -> bool:
    """Tell whether a string of ASCII digits passes the Luhn checksum."""
    backwards = digits[::-1].encode()
    kept, doubled = backwards[0::2].translate(_VALUE), backwards[1::2].translate(_DOUBLED)
    return (sum(kept) + sum(doubled)) % 10 == 0


def card_ok(text: str) -> bool:
    """A payment card number: a known issuer prefix, a length that issuer uses, and Luhn."""
    d = text.replace(" ", "").replace("-", "")
    n = len(d)
    if not 13 <= n <= 19 or not d.isascii() or not d.isdigit():
        return False
    p2 = int(d[:2])
    if d[0] == "4":
        fits = n in (13, 16, 19)
    elif 51 <= p2 <= 55 or 22 <= p2 <= 27:
        fits = n == 16
    elif p2 in (34, 37):
        fits = n == 15
    elif p2 in (30, 36, 38, 39):
        fits = n >= 14
    elif p2 == 35:
        fits = n >= 16
    else:  # Discover, UnionPay and Maestro ranges
        fits = d[0] == "6" or p2 in (50, 56, 57, 58)
    return fits and luhn_ok(d)


# systemd unit suffixes: `user@1000.service`, `postgresql@16-main.service` name template units.
_UNIT_SUFFIXES = (".service", ".socket", ".target", ".mount", ".timer", ".slice", ".scope",
                  ".path", ".device", ".swap", ".automount")  # fmt: skip


def email_ok(text: str) -> bool:
    """An e-mail address, not a systemd template unit instance (`getty@tty1.service`)."""
    return not text.lower().endswith(_UNIT_SUFFIXES)


# The e-mail rule's hint, and what its pattern takes after the `@`, read in orjson text (the
# domain's characters are never escaped there): labels, then 2 to 24 letters ending a label.
EMAIL_HINT = r"[A-Za-z0-9._%+-]@[A-Za-z0-9-]+\.[A-Za-z0-9-]"
# The same with the `@` percent-encoded, as a query string carries it (`?email=a%40b.com`).
EMAIL_ENCODED_HINT = r"[A-Za-z0-9._%+-]%40[A-Za-z0-9-]+\.[A-Za-z0-9-]"
_DOMAIN_RUN = re.compile(rb"[A-Za-z0-9.-]*")
_DOMAIN_LABEL = re.compile(rb"[A-Za-z0-9-]+")
_DOMAIN_END = re.compile(rb"[A-Za-z]{2,24}")
_UNIT_WORDS = frozenset(suffix[1:].encode() for suffix in _UNIT_SUFFIXES)


def no_email_in_json(data: bytes, end: int) -> bool:
    """Whether the match of `EMAIL_HINT` ending at `end` in orjson text holds no address the
    e-mail rule would mask: no domain its pattern takes, or the longest one (the pattern's
    greedy labels take it) a systemd unit suffix `email_ok` refuses (`user@1000.service`)."""
    at = data.rfind(b"@", 0, end)
    run_end = _DOMAIN_RUN.match(data, at + 1).end()  # type: ignore[union-attr]
    labels = data[at + 1 : run_end].split(b".")
    for last in range(len(labels) - 1, 0, -1):
        if _DOMAIN_END.fullmatch(labels[last]) and all(
            _DOMAIN_LABEL.fullmatch(label) for label in labels[:last]
        ):
            return labels[last].lower() in _UNIT_WORDS  # `.<word>` ends the address
    return True


def iban_ok(text: str) -> bool:
    """An IBAN: a known country's length and the ISO 7064 mod-97 check."""
    s = text.replace(" ", "")
    if _IBAN_LENGTHS.get(s[:2]) != len(s):
        return False
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def basic_ok(text: str) -> bool:
    """A Basic credential: base64 of `user:password`."""
    try:
        return b":" in binascii.a2b_base64(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return False


def token_ok(text: str) -> bool:
    """An opaque token, not an English word: it holds a digit or token punctuation."""
    return not text.isalpha()


def cookie_values(text: str, replace: Callable[[str], str]) -> str:
    """A Cookie / Set-Cookie value with each cookie's value replaced and attributes kept."""
    parts = text.split(";")
    for i, part in enumerate(parts):
        name, eq, value = part.partition("=")
        attribute = name.strip().lower() in COOKIE_ATTRIBUTES
        if eq and value.strip() and not attribute and not value.startswith(("[REDACTED", "hmac:")):
            parts[i] = f"{name}={replace(value)}"
    return ";".join(parts)


@dataclass(frozen=True)
class ValueRule:
    """A secret found in text: RE2 `trigger` (cheap, may over-match), `pattern` confirms.

    The secret is the first of `pattern`'s groups named `v`, `v2`, ... that matched, else the
    whole match; `check` (if any) must accept that text, `match_check` the match, `name_check`
    its group `k` (a key name of at most `keynames.MAX_NAME_CHARS`).
    `rewrite` (if any) replaces parts of the secret instead of all of it (cookies). `hints` are
    Hyperscan patterns over an event's compact JSON form, one of which matches wherever
    `pattern` could confirm a secret in one of the event's strings (a necessary part of it,
    escaped as JSON escapes it; `logpipe.redact_prefilter`); none for user rules.
    """

    id: str
    trigger: str
    pattern: re.Pattern[str]
    check: Callable[[str], bool] | None = None
    match_check: Callable[[re.Match[str]], bool] | None = None
    name_check: Callable[[str], bool] | None = None
    rewrite: Callable[[str, Callable[[str], str]], str] | None = None
    hints: tuple[str, ...] = ()


def _rule(
    rule_id: str, trigger: str, pattern: str, check=None, flags: int = 0, **extra
) -> ValueRule:
    return ValueRule(rule_id, trigger, re.compile(pattern, flags), check, **extra)


# A payment card's digits in JSON text, in a string or as an integer: an issuer prefix `card_ok`
# accepts, then 13 or more digits with single spaces or hyphens between them.
# (After a non-digit, which may be the end of a `\u001X` escape.)
CARD_HINT = r"(?:[^0-9]|\\u00[01][0-9a-fA-F])(?:4|5[0-8]|2[2-7]|3[04-9]|6)[0-9](?:[ -]?[0-9]){11}"
_DIGIT_RUN = re.compile(rb"[0-9]+(?:[ -][0-9]+)*")  # digits, single spaces or hyphens between
_CARD_RUN_REACH = 64  # bytes looked at on each side of a match; a longer run is walked
_CARD_MAX_DIGITS = 19


def card_in_json(data: bytes, end: int) -> bool:
    """Whether the run of digits holding the `CARD_HINT` match ending at `end` in orjson text
    could hold a number `card_ok` accepts: some of its groups in a row (split at its spaces and
    hyphens) make 13 to 19 digits that pass. Any doubt answers True: a run longer than the bytes
    looked at, or one right after `\\u` (an escape's hex digits may start it)."""
    low, high = max(0, end - _CARD_RUN_REACH), min(len(data), end + _CARD_RUN_REACH)
    for run in _DIGIT_RUN.finditer(data, low, high):
        start, stop = run.span()
        if stop < end:
            continue
        if start > end - 1 or (start == low and low) or (stop == high and high < len(data)):
            return True
        if data[max(0, start - 2) : start] == b"\\u":
            return True
        groups = re.split(rb"[ -]", run.group())
        for first in range(len(groups)):
            digits = b""
            for group in groups[first:]:
                digits += group
                if len(digits) > _CARD_MAX_DIGITS:
                    break
                if len(digits) >= 13 and card_ok(digits.decode()):
                    return True
        return False
    return True


# An IBAN's two check digits: `\d` also takes non-ASCII digits (two to four UTF-8 bytes).
_IBAN_CHECK_DIGITS = r"(?:[0-9]|[\xc0-\xff][\x80-\xbf]{1,3}){2}"
IBAN_HINT = rf"[A-Z][A-Z]{_IBAN_CHECK_DIGITS} ?[A-Z0-9]{{4}}"
# What may sit between the words of a `k=v` name (`_KV`'s `k`) or end it without adding a word.
_NAME_GAP = r"(?:[_.\-]|[\x80-\xff])*"


def _key_value_hints(names: tuple[str, ...]) -> tuple[str, ...]:
    """`_KV` with a name `NameMatcher(names)` accepts, in JSON text: the words of one of the
    names in order (case aside), then an optional quote, spaces or tabs and `:` or `=`."""
    return tuple(
        rf"(?i){_NAME_GAP.join(tail)}{_NAME_GAP}(?:\\\"|')?(?: |\\t)*[:=]"
        for tail in distinct_tails(names)
    )


# One character of a value that could look random (`looks_random`: no blank) in orjson text: a
# byte that is no blank, quote or backslash, or an escape; a character takes one or more.
_JSON_VALUE_UNIT = r"(?:[\x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\.)"


def _random_value_hints(names: tuple[str, ...]) -> tuple[str, ...]:
    """`_key_value_hints` followed by a value `looks_random` may take: after spaces or tabs, an
    optional quote and an optional `bearer`, `basic` or `token`, 16 characters (a Go panic's
    `code=0x1` is not walked for them)."""
    value = rf"(?: |\\t)*(?:\\\"|')?(?:(?:bearer|basic|token)(?: |\\t)+)?{_JSON_VALUE_UNIT}{{16}}"
    return tuple(hint + value for hint in _key_value_hints(names))


# The hint of `pwd` (`secret_param`), and sudo's `PWD=<cwd>` as `_not_sudo_cwd` exempts it, read
# in orjson text (`logpipe.redact_prefilter`): a tty of printable ASCII but `;`, `\` and `"`.
SUDO_CWD_HINT = _key_value_hints(("pwd",))[0]
_SUDO_TTY_JSON = re.compile(rb"(?<=[:;] )TTY=[\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]{1,64} ; ")
_JSON_CHAR_BYTES = 6  # the most bytes orjson writes for one character (`\u001f`)


def sudo_cwd_in_json(data: bytes, end: int) -> bool:
    """Whether the match of `SUDO_CWD_HINT` ending at `end` in orjson text (items joined by
    newlines) is a `PWD=` that `_not_sudo_cwd` exempts; any doubt (an escape in the path, a
    character of several bytes where lengths count) answers False."""
    name = end - 4
    if data[name:end] != b"PWD=" or data[end : end + 1] != b"/":
        return False
    tty = data.rfind(b"TTY=", max(0, name - _SUDO_TTY_CHARS), name)
    if tty < 0 or _SUDO_TTY_JSON.fullmatch(data, tty, name) is None:
        return False
    head = max(0, tty - _JSON_CHAR_BYTES * _SUDO_HEAD_CHARS)  # at least that many characters
    head = data.rfind(b"\n", head, tty) + 1 or head  # from the item's start at most
    if data.find(b"COMMAND=", head, tty) >= 0:
        return False
    path_end = data.find(b" ; ", end, end + _PATH_MAX + 3)
    path = data[end:path_end]
    return (
        path_end >= 0
        and data.startswith(b" ; USER=", path_end)
        and b"\\" not in path
        and b'"' not in path
    )


# In application order: context rules (key blocks, URLs, headers, key=value) before token shapes.
VALUE_RULES: tuple[ValueRule, ...] = (
    _rule(
        "private_key",
        r"-----BEGIN",
        r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
        r"(?:.*?-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|.*)",
        flags=re.DOTALL,
        hints=(r"-----BEGIN",),
    ),
    _rule(
        "url_password",
        r"://[^\s/?#@]*:[^\s/?#@]*@",
        r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:]*:"
        + _VALUE_GUARD
        + r"(?P<v>[^\s/?#@]+)@",
        hints=(r"://[^\s/?#@:]*:[^\s/?#@]+@",),
    ),
    _rule(
        "auth_header",
        r"(?i)authorization[\"']?\s*[:=]",
        r"(?i)(?<![\w-])(?:proxy-)?authorization[\"']?[ \t]*[:=][ \t]*[\"']?"
        r"(?:(?:bearer|basic|token|digest|negotiate|ntlm|aws4-hmac-sha256)[ \t]+)?"
        + _VALUE_GUARD
        + r"(?P<v>[^\r\n\"']+)",
        hints=(r"(?i)authorization",),
    ),
    _rule(
        "cookie_header",
        r"(?i)cookie[\"']?\s*[:=]",
        r"(?i)(?<![\w-])(?:set-)?cookie[\"']?[ \t]*[:=][ \t]*[\"']?"
        + _VALUE_GUARD
        + r"(?P<v>[^\r\n\"']+)",
        rewrite=cookie_values,
        hints=(r"(?i)cookie",),
    ),
    _rule(
        "cli_password",
        r"(?i)(?:-(?:pass|pw|token|secret|(?:api|access)[-_]?key|auth[-_]?token|client[-_]?secret)"
        r"|mysql|mariadb|sshpass|-u\s|--user\s)",
        _CLI,
        match_check=_cli_context,
        flags=re.IGNORECASE,
        hints=(  # `-client` alone would walk every `Go-http-client` access line
            r"(?i:-(?:pass|pw|token|secret|(?:api|access)[-_]?key|auth[-_]?token|client[-_]?secret)"
            r"|sshpass)",
            # `-u name:password` as `_CLI` takes it (not `journalctl -u app`): a name of no blank,
            # quote, `:` or `@` (in JSON, an escape's backslash may sit in it), then `:`
            r"(?i)(?:-u|--user)(?: |\\t)+(?:\\\"|')?[^ \n\"':@]+:",
            r"mysql|mariadb",
        ),
    ),
    _rule(
        "secret_param",
        # a word of every name in TEXT_KEY_NAMES (tests/unit/test_redact.py checks each one)
        r"(?i)(?:pass|pw|secret|token|key|sid|session|auth|credential|sig|app_?id|otp|jwt|card"
        r"|cvv|cvc|ssn)[\w.-]*[\"']?\s*[:=]",
        _KV,
        match_check=_not_sudo_cwd,
        name_check=_TEXT_KEY.bounded,
        hints=_key_value_hints(TEXT_KEY_NAMES),
    ),
    _rule(
        "random_param",
        r"(?i)(?:key|code|salt|seed|hmac|nonce)[\"']?\s*[:=]",
        _KV,
        looks_random,
        name_check=_WEAK_KEY.bounded,
        hints=_random_value_hints(WEAK_NAMES),
    ),
    _rule(
        "bearer",
        r"(?i)bearer\s",
        r"(?<![\w-])(?i:bearer)\s+(?P<v>[A-Za-z0-9._~+/-]{8,}=*)",
        token_ok,
        hints=(r"(?i)bearer",),
    ),
    _rule(
        "basic",
        r"(?i)basic\s",
        r"(?<![\w-])(?i:basic)\s+(?P<v>[A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])",
        basic_ok,
        hints=(r"(?i)basic",),
    ),
    _rule(
        "jwt",
        r"eyJ[A-Za-z0-9_-]{5,}\.",
        rf"(?<!{_B64URL})eyJ{_B64URL}{{5,}}\.{_B64URL}{{5,}}(?:\.{_B64URL}*){{1,3}}",
        hints=(rf"eyJ{_B64URL}{{5}}[A-Za-z0-9_-]*\.{_B64URL}{{5}}",),
    ),
    _rule(
        "aws_access_key",
        r"A[KS]IA[A-Z0-9]{16}",
        r"(?<![A-Z0-9])A[KS]IA[A-Z0-9]{16}(?![A-Z0-9])",
        hints=(r"A[KS]IA[A-Z0-9]{16}",),
    ),
    _rule(
        "aws_secret_key",
        r"(?i)aws.{0,20}secret",
        r"(?i)aws.{0,20}?secret.{0,20}?key[\s\"':=]{0,5}(?:is[\s:]{1,3})?"
        r"(?P<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        hints=(r"(?i)aws",),
    ),
    _rule(
        "gcp_api_key",
        r"AIza",
        rf"(?<!{_B64URL})AIza{_B64URL}{{35}}(?!{_B64URL})",
        hints=(rf"AIza{_B64URL}{{35}}",),
    ),
    _rule(
        "google_oauth_token",
        r"ya29\.",
        rf"(?<!{_B64URL})ya29\.{_B64URL}{{20,}}",
        hints=(rf"ya29\.{_B64URL}{{20}}",),
    ),
    _rule(
        "github_token",
        r"gh[pousr]_|github_pat_",
        r"(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_\w{40,242})(?!\w)",
        hints=(r"gh[pousr]_[A-Za-z0-9]{36}|github_pat_",),
    ),
    _rule(
        "gitlab_token",
        r"glpat-",
        rf"(?<!{_B64URL})glpat-{_B64URL}{{20,}}",
        hints=(rf"glpat-{_B64URL}{{20}}",),
    ),
    _rule(
        "slack_token",
        r"xox[abposr]-",
        r"(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,250}",
        hints=(r"xox[abposr]-[A-Za-z0-9-]{10}",),
    ),
    _rule(
        "slack_webhook",
        r"hooks\.slack\.com/services/",
        r"hooks\.slack\.com/services/(?P<v>T\w+/B\w+/\w+)",
        hints=(r"hooks\.slack\.com/services/T",),
    ),
    _rule(
        "stripe_key",
        r"[sr]k_(?:live|test)_",
        r"(?<!\w)[sr]k_(?:live|test)_[A-Za-z0-9]{16,247}(?!\w)",
        hints=(r"[sr]k_(?:live|test)_[A-Za-z0-9]{16}",),
    ),
    _rule(
        "sendgrid_key",
        r"SG\.",
        rf"(?<!\w)SG\.{_B64URL}{{22}}\.{_B64URL}{{43}}(?!{_B64URL})",
        hints=(rf"SG\.{_B64URL}{{22}}\.",),
    ),
    _rule(
        "npm_token",
        r"npm_",
        r"(?<!\w)npm_[A-Za-z0-9]{36}(?!\w)",
        hints=(r"npm_[A-Za-z0-9]{36}",),
    ),
    _rule(
        "ai_api_key",
        r"sk-[A-Za-z0-9_-]{20}",
        rf"(?<!{_B64URL})sk-(?:proj-|ant-(?:api|admin)\d\d-)?{_B64URL}{{32,}}",
        hints=(rf"sk-{_B64URL}{{32}}|sk-ant-",),
    ),
    _rule(
        "email",
        r"[A-Za-z0-9_%+-](?:@|%40)[A-Za-z0-9-]+\.",
        r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+(?:@|%40)(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}"
        r"(?![A-Za-z0-9-])",
        email_ok,
        hints=(EMAIL_HINT, EMAIL_ENCODED_HINT),
    ),
    _rule(
        "card",
        r"\d(?:[ -]?\d){12}",
        r"(?<!\w)(?<!\d[.-])(?<!hmac:)(?:\d{13,19}|\d{4}([ -])(?:\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?"
        r"|\d{6}\1\d{4,5}))(?!\w|[.-]\d)",
        card_ok,
        hints=(CARD_HINT,),
    ),
    _rule(
        "iban",
        r"[A-Z]{2}\d\d ?[A-Z0-9]{4}",
        r"(?<![A-Za-z0-9])[A-Z]{2}\d\d(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])",
        iban_ok,
        hints=(IBAN_HINT,),
    ),
)

RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in VALUE_RULES)

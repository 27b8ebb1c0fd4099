"""Rebuild tests/corpus/security/*.jsonl from public sources (run by hand; output is committed).

Needs git snapshots of swisskyrepo/PayloadsAllTheThings (MIT) and logpai/loghub (research
licence) at PATT and LOGHUB. Attack payloads are embedded in access-log lines, plain or
URL-encoded once or twice; loghub lines are used as they are, labelled by their template ids.
Usage: python tests/corpus/build_security.py PATT_GIT_DIR LOGHUB_GIT_DIR
"""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import orjson

HERE = Path(__file__).parent / "security"
PER_FILE = 120  # cap per payload file so one huge list does not dominate its category
SQLI_FILES = "SQL Injection/Intruder"
CMDI_FILES = "Command Injection/Intruder"
TRAVERSAL_FILES = ("Directory Traversal/Intruder", "File Inclusion/Intruders/Traversal.txt")
XSS_FILES = "XSS Injection/Intruders"
# Payloads that are not attacks on their own: a lone character, number or bare word (lists of
# event-handler names), a comment or cheat-sheet row of the list (`token<TAB>explanation`,
# `Heading:`), or template injection ({{...}}) filed under command injection.
_NOT_STANDALONE = re.compile(
    r"^(?:.{0,3}|\d+|[A-Za-z_]\w*|#\s.*|.*\{\{.*|.*\t.*|[\w -]+:)$", re.DOTALL
)
_PLAIN_ESCAPES = ((" ", "%20"), ('"', "%22"), ("\n", "%0A"), ("\t", "%09"), ("\r", "%0D"))
# public hosts (documentation examples, redirectors, cloud APIs) are not SSRF targets by themselves
_PUBLIC_HOSTS = re.compile(
    r"attacker|evil|example\.com|redirect|\[host\]|googleapis|nicob\.net|1\.1\.1\.1"
    r"|burpcollaborator|r3dir|1u\.ms|\u24d4"
)
_SSH_FAILURES = {"E4", "E5", "E6", "E7", "E8", "E9", "E10", "E12", "E13", "E14", "E15", "E16",
                 "E17", "E18", "E19", "E20", "E21"}  # fmt: skip
_LINUX_FAILURES = {"E27", "E13", "E14", "E15", "E16", "E17", "E18", "E19", "E31", "E61"}


def git_files(repo: str, under: str) -> list[str]:
    out = subprocess.run(
        ["git", "--git-dir", repo, "ls-tree", "-r", "--name-only", "HEAD", under],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [p for p in out.stdout.splitlines() if p]


def git_show(repo: str, path: str) -> str:
    out = subprocess.run(
        ["git", "--git-dir", repo, "show", f"HEAD:{path}"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8", "replace")


def split_of(line: str) -> str:
    """One third held out, chosen by a hash of the line (stable across rebuilds)."""
    return "holdout" if hashlib.sha256(line.encode()).digest()[0] % 3 == 0 else "tune"


def payloads(repo: str, under: str, rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for path in git_files(repo, under):
        lines = [ln.rstrip("\r") for ln in git_show(repo, path).splitlines()]
        lines = [ln for ln in dict.fromkeys(lines) if not _NOT_STANDALONE.match(ln.strip())]
        rng.shuffle(lines)
        found += [(path, ln) for ln in lines[:PER_FILE]]
    return found


def encode(payload: str, n: int) -> str:
    """Plain (spaces and quotes escaped, as clients send), or URL-encoded once or twice."""
    if n % 3 == 0:
        for raw, escaped in _PLAIN_ESCAPES:
            payload = payload.replace(raw, escaped)
        return payload
    once = quote(payload, safe="")
    return once if n % 3 == 1 else quote(once, safe="")


def access_line(target: str, n: int, status: int = 200) -> str:
    ip = f"203.0.113.{n % 250 + 1}"
    return (
        f'{ip} - - [26/Nov/2026:10:{n // 60 % 60:02d}:{n % 60:02d} +0000] "GET {target} HTTP/1.1" '
        f'{status} {500 + n % 900} "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"'
    )


def ssrf_payloads(repo: str) -> list[tuple[str, str]]:
    found = []
    for path in ("Server Side Request Forgery/README.md",
                 "Server Side Request Forgery/SSRF-Cloud-Instances.md"):  # fmt: skip
        text = git_show(repo, path)
        for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.DOTALL):
            for url in re.findall(r"(?:https?|file|gopher|dict|ldap|ftp|sftp|tftp|netdoc|jar)"
                                  r":/{1,3}[^\s`\"'<>]+", block):  # fmt: skip
                if not _PUBLIC_HOSTS.search(url):
                    found.append((path, url))
    return list(dict.fromkeys(found))


def attack_records(patt: str) -> list[dict]:
    rng = random.Random(12)
    records = []
    groups = {
        "sql_injection": payloads(patt, SQLI_FILES, rng),
        "command_injection": payloads(patt, CMDI_FILES, rng),
        "path_traversal": [p for u in TRAVERSAL_FILES for p in payloads(patt, u, rng)],
        "xss": payloads(patt, XSS_FILES, rng)[:300],
        "ssrf": ssrf_payloads(patt),
    }
    params = {"sql_injection": "/products.php?id=", "command_injection": "/tools/ping?host=8.8.8.8",
              "xss": "/search?q=", "ssrf": "/api/fetch?url="}  # fmt: skip
    # a command payload that does not start with a separator is a whole command: `cmd=`
    for category, items in groups.items():
        for n, (source, payload) in enumerate(items):
            if category == "path_traversal":
                payload = payload.replace("{FILE}", ("etc/passwd", "windows/win.ini")[n % 2])
                target = ("/static/" if n % 2 else "/download?file=") + encode(payload, n)
            elif category == "command_injection" and payload[:1].isalnum():
                target = "/tools/run?cmd=" + encode(payload, n)
            else:
                target = params[category] + encode(payload, n)
            line = access_line(target, n, rng.choice([200, 200, 404, 500]))
            records.append({"category": category, "source": f"PayloadsAllTheThings/{source}",
                            "payload": payload, "line": line})  # fmt: skip
    return records


def loghub_records(loghub: str) -> tuple[list[dict], list[dict]]:
    attacks, benign = [], []
    for system, failures in (("OpenSSH", _SSH_FAILURES), ("Linux", _LINUX_FAILURES)):
        raw = git_show(loghub, f"{system}/{system}_2k.log").splitlines()
        structured = git_show(loghub, f"{system}/{system}_2k.log_structured.csv").splitlines()
        header = structured[0].split(",")
        at = header.index("EventId")
        for line, row in zip(raw, structured[1:], strict=True):
            event_id = _csv_field(row, at)
            source = f"loghub/{system}/{system}_2k.log ({event_id})"
            record = {"source": source, "line": line}
            if event_id in failures:
                attacks.append({"category": "authentication", **record})
            else:
                benign.append({"look_alike": f"loghub {system}", **record})
    for line in git_show(loghub, "Apache/Apache_2k.log").splitlines():
        benign.append({"look_alike": "loghub Apache", "source": "loghub/Apache/Apache_2k.log",
                       "line": line})  # fmt: skip
    return attacks, benign


def _csv_field(row: str, at: int) -> str:
    import csv

    return next(csv.reader([row]))[at]


def main() -> None:
    patt, loghub = sys.argv[1], sys.argv[2]
    attacks = attack_records(patt)
    auth, benign = loghub_records(loghub)
    attacks += auth
    for name, records in (("attacks", attacks), ("benign_logs", benign)):
        with (HERE / f"{name}.jsonl").open("wb") as out:
            for record in records:
                record["split"] = split_of(record["line"])
                out.write(orjson.dumps(record) + b"\n")
        print(name, len(records))


if __name__ == "__main__":
    main()

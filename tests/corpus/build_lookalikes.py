"""Write tests/corpus/security/benign_lookalikes.jsonl: benign lines resembling each attack class.

Hand-written look-alikes (search terms with SQL words, shell punctuation in ordinary text, URLs
to public hosts in parameters, dots in versions, script words, successful logins), each
embedded in an access line (plain and URL-encoded) and in an application JSON line.
Run: python tests/corpus/build_lookalikes.py
"""

from __future__ import annotations

from urllib.parse import quote

import orjson

from tests.corpus.build_security import HERE, access_line, split_of

SEARCH_TERMS = {
    "sql_injection": [
        "union select committee report", "order by price", "select all", "drop shipping",
        "insert coin", "delete account help", "O'Reilly or Packt books", "tom's diner",
        "1=1 equation", "rock 'n' roll", "sleep apnea", "benchmark results 2026", "like new",
        "Martin O'Neil", "sql select from where tutorial", "update my profile", "table for 2",
        "having fun", "group by age chart", "true or false quiz", "cast iron pan", "char broil",
        "user manual version 2", "between 1 and 10", "Jack and Jill", "case when shoes",
        "exec summary", "it's a 1-0 win", "waiting for delay notice", "D'Angelo - Voodoo",
        "AND/OR gates", "null hypothesis", "schema.org markup", "select committee 2026",
        "Guns N' Roses", "L'Oréal", "don't stop me now", "copy to clipboard",
    ],
    "command_injection": [
        "cat food & dog food", "salt|pepper", "AT&T", "Q&A", "R&D", "tom & jerry", "ls 1000 lens",
        "echo dot", "ping pong table", "ps5 console", "bash birthday", "curl hair", "id card",
        "whoami tv show", "python book", "perl necklace", "ruby ring", "wget vs curl", "nc state",
        "time; money", "sleep; eat; repeat", "type c charger", "dir en grey", "net worth",
        "$5 deal", "cd player", "head & shoulders", "find my phone", "more or less",
    ],
    "xss": [
        "<3 you", "a<b and b>c", "alert me", "javascript tutorial", "script writing", "onload",
        "body lotion", "image editor", "on error resume next", "document cookie policy",
        "print(hello)", "svg icons", "iframe vs embed", "window[0]", "top 10 list",
    ],
    "path_traversal": [
        "1..2", "...", "v2.0..v2.1", "report..final.pdf", "etc/password-policy", "win.ini-like",
        "a/b/c", "c: drive", "/var/www/html", "proc self esteem",
    ],
    "ssrf": [
        "https://www.wikipedia.org/", "https://example.com/login", "/dashboard",
        "https://api.github.com/", "https://cdn.example.net/a.png", "//cdn.jsdelivr.net/x.js",
        "http://203.0.113.10/status", "https://1.1.1.1/dns-query", "10.5", "127 hours",
        "http://8.8.8.8/", "https://192.0.2.1/", "https://[2001:db8::1]/", "localhost tips",
        "ftp guide", "file transfer", "https://docs.python.org/3/library/file.html",
    ],
}  # fmt: skip
PARAMS = {"sql_injection": "/search?q=", "command_injection": "/search?q=", "xss": "/search?q=",
          "path_traversal": "/docs?page=", "ssrf": "/share?url="}  # fmt: skip
LOG_LINES = [
    ("authentication", "Accepted password for alice from 198.51.100.7 port 50022 ssh2"),
    ("authentication", "Accepted publickey for deploy from 10.0.0.4 port 41320 ssh2: RSA SHA256:x"),
    ("authentication", "pam_unix(sshd:session): session opened for user alice by (uid=0)"),
    ("authentication", "pam_unix(sudo:session): session opened for user root by alice(uid=1000)"),
    ("authentication", "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"),
    ("authentication", "Successful su for root by alice"),
    ("authentication", "+ pts/1 alice:root"),
    ("authentication", "password changed for alice"),
    ("authentication", "user login ok: alice (mfa passed)"),
    ("authentication", "Failed to start Daily apt upgrade and clean activities."),
    ("authentication", "Received disconnect from 198.51.100.7 port 50022:11: disconnected by user"),
    ("authentication", "New session 12 of user alice."),
    ("authentication", "Invalid username format in signup form, asked user to retry"),
    ("authentication", "password reset email sent to user 4411"),
    ("authentication", "token refreshed for session 8c1f"),
    ("jndi_injection", "price ${amount} computed for order 1234"),
    ("jndi_injection", "template ${user.name} rendered"),
    ("scanner", "GET /health from kube-probe/1.29"),
    ("path_traversal", "loaded config from ../config/app.yaml relative to /srv/app/bin"),
    ("sql_injection", "query took 1200 ms: SELECT id FROM users WHERE email = $1"),
    ("command_injection", "cron: /usr/local/bin/backup.sh finished; 3 files; exit 0"),
]
STATUSES = (200, 200, 304, 404)


def main() -> None:
    rows = []
    n = 0
    for look_alike, terms in SEARCH_TERMS.items():
        for term in terms:
            for encoded in (term.replace(" ", "%20"), quote(term, safe="")):
                n += 1
                line = access_line(PARAMS[look_alike] + encoded, n, STATUSES[n % 4])
                rows.append({"look_alike": look_alike, "source": "hand-written", "line": line})
            body = {"level": "INFO", "message": f"search for {term}", "path": "/api/search",
                    "status": 200, "query": term}  # fmt: skip
            rows.append({"look_alike": look_alike, "source": "hand-written",
                         "line": orjson.dumps(body).decode()})  # fmt: skip
    for look_alike, text in LOG_LINES:
        n += 1
        line = f"Nov 26 10:00:{n % 60:02d} web-1 app[{1000 + n}]: {text}"
        rows.append({"look_alike": look_alike, "source": "hand-written", "line": line})
    with (HERE / "benign_lookalikes.jsonl").open("wb") as out:
        for row in rows:
            row["split"] = split_of(row["line"])
            out.write(orjson.dumps(row) + b"\n")
    print("benign_lookalikes", len(rows))


if __name__ == "__main__":
    main()

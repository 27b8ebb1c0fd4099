# ruff: noqa: E501  (message templates and secret shapes read best one per line)
"""Write tests/corpus/secrets/{secrets,benign}.jsonl: planted secrets of 30 kinds in the shapes
real logs carry them (JSON fields in any key style, query strings, headers, cookies, command
lines, environment, URLs), and benign look-alikes that must survive redaction.

Secret values are random but in each provider's documented format (prefixes, lengths,
alphabets, Luhn / mod-97 checks); AWS's documented example keys are used as they are.
Run: python tests/corpus/build_secrets.py
"""

from __future__ import annotations

import base64
import hashlib
import random
import string
import uuid
from pathlib import Path

import orjson

from tests.corpus.build_security import access_line, split_of

HERE = Path(__file__).parent / "secrets"
ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"


def rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def luhn_card(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def iban(rng: random.Random) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(18))
    digits = "".join(str(int(c, 36)) for c in bban + "DE00")
    return f"DE{98 - int(digits) % 97:02d}{bban}"


def jwt(rng: random.Random) -> str:
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(orjson.dumps({"sub": rand(rng, 8)})).rstrip(b"=").decode()
    return f"{head}.{body}.{rand(rng, 43, B64URL)}"


def app(message: str, **fields: object) -> str:
    return orjson.dumps({"level": "INFO", "message": message, **fields}).decode()


def sudo_line(cwd: str) -> str:
    """A syslog line of sudo in its own layout (as in elastic/beats' system module test logs):
    `PWD=` is the user's working directory there, not a password."""
    return f"Feb 21 23:35:33 localhost sudo: vagrant : TTY=pts/0 ; PWD={cwd} ; USER=root ; COMMAND=/bin/ls"


def secret_lines(rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, secret, line) triples."""
    rows: list[tuple[str, str, str]] = []
    for n in range(12):
        pw = rand(rng, rng.randint(8, 16), ALNUM + "!@#$%^*")
        tok = rand(rng, 32)
        hexs = rand(rng, 40, "0123456789abcdef")
        user = rng.choice(["alice", "bob", "svc-deploy", "admin"])
        rows += [
            ("password_field", pw, app("user created", user=user, password=pw)),
            (
                "camel_secret_key",
                tok,
                app("s3 client", config={"secretKey": tok, "region": "eu-west-1"}),
            ),
            (
                "camel_secret_access_key",
                tok,
                app(
                    "aws",
                    creds={
                        "accessKeyId": "AKIAIOSFODNN7EXAMPLE"[:4]
                        + rand(rng, 16, string.ascii_uppercase + string.digits),
                        "secretAccessKey": tok,
                    },
                ),
            ),
            (
                "camel_refresh_token",
                tok,
                app("oauth refresh", auth={"refreshToken": tok, "expiresIn": 3600}),
            ),
            (
                "kebab_header_api_key",
                tok,
                app("upstream call", headers={"X-Api-Key": tok, "Accept": "application/json"}),
            ),
            (
                "dotted_key",
                pw,
                f"2026-11-26 10:00:{n:02d} INFO loaded spring.datasource.password={pw} from env",
            ),
            (
                "query_signature",
                hexs,
                access_line(f"/download?file=a.pdf&Expires=1767225600&Signature={hexs}", n),
            ),
            ("query_sig", tok, access_line(f"/img/1.png?w=200&sig={tok}", n)),
            (
                "query_amz_signature",
                hexs,
                access_line(
                    f"/bucket/o.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={hexs}", n
                ),
            ),
            ("query_api_key", tok, access_line(f"/v1/geocode?address=berlin&api_key={tok}", n)),
            (
                "query_appid",
                "wx" + hexs[:16],
                access_line(f"/wechat/cb?appid=wx{hexs[:16]}&openid=o_{n}", n),
            ),
            ("query_access_token", tok, access_line(f"/me?fields=id,name&access_token={tok}", n)),
            ("query_random_key", tok, access_line(f"/maps/api/js?key={tok}&callback=init", n)),
            (
                "url_userinfo",
                pw.replace("@", "x").replace("#", "x"),
                f"connecting to postgres://{user}:{pw.replace('@', 'x').replace('#', 'x')}@db.internal:5432/app",
            ),
            ("bearer_header", tok, f"upstream 401 with Authorization: Bearer {tok}"),
            (
                "basic_header",
                base64.b64encode(f"{user}:{pw}".encode()).decode(),
                f"request headers: Authorization: Basic {base64.b64encode(f'{user}:{pw}'.encode()).decode()}",
            ),
            (
                "set_cookie",
                tok,
                f"response header Set-Cookie: sessionid={tok}; Path=/; HttpOnly; Secure; SameSite=Lax",
            ),
            (
                "cookie_field",
                tok,
                app("request", http={"request": {"headers": {"cookie": f"sid={tok}; theme=dark"}}}),
            ),
            (
                "cli_mysql",
                pw.replace("'", "x"),
                f"cron: mysqldump -h db -u backup -p{pw.replace(chr(39), 'x')} shop > /backup/shop.sql",
            ),
            (
                "cli_long_flag",
                pw,
                f"started: /opt/app/bin/server --db-user {user} --password={pw} --port 8080",
            ),
            (
                "cli_curl_user",
                pw.replace("'", "x").replace("@", "x"),
                f"exec: curl -s -u {user}:{pw.replace(chr(39), 'x').replace('@', 'x')} https://api.example.com/v1/status",
            ),
            ("env_var", pw, f"env: DB_PASSWORD={pw} PGPASSWORD={pw} LANG=C.UTF-8"),
            ("aws_access_key", "AKIA" + rand(rng, 16, string.ascii_uppercase + "234567"), ""),
            ("github_token", "ghp_" + rand(rng, 36), ""),
            ("github_pat", "github_pat_" + rand(rng, 22) + "_" + rand(rng, 59), ""),
            ("gitlab_token", "glpat-" + rand(rng, 20, B64URL), ""),
            (
                "slack_token",
                f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**12, 10**13)}-{rand(rng, 24)}",
                "",
            ),
            ("stripe_key", "sk_live_" + rand(rng, 24), ""),
            ("sendgrid_key", f"SG.{rand(rng, 22, B64URL)}.{rand(rng, 43, B64URL)}", ""),
            ("npm_token", "npm_" + rand(rng, 36), ""),
            ("openai_key", "sk-proj-" + rand(rng, 48, B64URL), ""),
            ("gcp_api_key", "AIza" + rand(rng, 35, B64URL), ""),
            ("google_oauth", "ya29." + rand(rng, 60, B64URL), ""),
            ("jwt", jwt(rng), ""),
            ("card", luhn_card(rng, rng.choice(["4", "51", "55", "2221", "6011"]), 16), ""),
            ("iban", iban(rng), ""),
            ("email", f"{user.replace('-', '.')}{n}@example.org", ""),
            ("private_key", rand(rng, 64, ALNUM + "+/"), ""),
        ]
    out = []
    for kind, secret, line in rows:
        if not line:  # a bare token in an ordinary message
            if kind == "private_key":
                line = app(
                    "loaded key",
                    key_material=f"-----BEGIN RSA PRIVATE KEY-----\n{secret}\n-----END RSA PRIVATE KEY-----",
                )
            elif kind == "card":
                line = app(
                    f"payment declined for card {secret[:4]} {secret[4:8]} {secret[8:12]} {secret[12:]}"
                )
                secret = secret[8:12] + " " + secret[12:]
            elif kind == "aws_access_key":
                line = f"2026-11-26 10:00:00 INFO s3 upload with {secret} done"
            else:
                line = f"2026-11-26 10:00:00 WARN client configured with {secret} (rotate me)"
        out.append((kind, secret, line))
    return out


BENIGN = [
    ("uuid", lambda r: str(uuid.UUID(int=r.getrandbits(128))), lambda v: app("request done", request_id=v)),
    ("order_number", lambda r: str(r.randint(10**15, 10**16 - 1)).rstrip("0") + "2", lambda v: app(f"order {v} shipped")),
    ("etag_hash", lambda r: hashlib.sha1(r.randbytes(8)).hexdigest(), lambda v: f'response ETag: "{v}" 304'),
    ("git_sha", lambda r: hashlib.sha1(r.randbytes(8)).hexdigest(), lambda v: f"deployed commit {v} to prod"),
    ("base64_image", lambda r: base64.b64encode(r.randbytes(48)).decode(), lambda v: app("avatar", src=f"data:image/png;base64,{v}")),
    ("trace_id", lambda r: r.randbytes(16).hex(), lambda v: app("span", trace_id=v)),
    ("sha256_field", lambda r: hashlib.sha256(r.randbytes(8)).hexdigest(), lambda v: app("file stored", sha256=v)),
    ("token_count", lambda r: str(r.randint(1, 4096)), lambda v: f"llm call max_tokens={v} done"),
    ("token_type", lambda r: "Bearer", lambda v: app("oauth ok", token_type=v)),
    ("cache_key", lambda r: f"user:{r.randint(1, 999)}", lambda v: f"cache_key: {v} hit"),
    ("password_policy", lambda r: r.choice(["strong", "medium"]), lambda v: app("policy", password_policy=v)),
    ("public_query", lambda r: f"page={r.randint(1, 9)}&sort=asc", lambda v: access_line(f"/api/items?{v}", 1)),
    ("public_url", lambda r: f"https://www.wikipedia.org/wiki/{r.choice(['Key', 'Token', 'Password'])}", lambda v: app("link", href=v)),
    ("status_code", lambda r: str(r.choice([200, 404])), lambda v: f"code={v} key=name"),
    ("version", lambda r: f"{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)}", lambda v: app("started", version=v)),
    ("timestamp", lambda r: f"2026-11-26T10:{r.randint(10, 59)}:00Z", lambda v: app("tick", at=v)),
    ("username", lambda r: r.choice(["alice", "bob", "carol"]), lambda v: app("login ok", user=v)),
    ("ip", lambda r: f"198.51.100.{r.randint(1, 254)}", lambda v: app("client", client_ip=v)),
    ("secretary_word", lambda r: "secretary", lambda v: f"meeting with the {v} at 10"),
    ("keyboard_layout", lambda r: r.choice(["us", "de"]), lambda v: app("prefs", keyboard=v)),
    ("sudo_working_dir", lambda r: r.choice(["/home/vagrant", "/root", "/var/www/app", "/etc/nginx/sites-enabled", "/home/alice/My Documents", "/tmp"]), sudo_line),
]  # fmt: skip


def main() -> None:
    rng = random.Random(2026)
    HERE.mkdir(exist_ok=True)
    with (HERE / "secrets.jsonl").open("wb") as out:
        rows = secret_lines(rng)
        for kind, secret, line in rows:
            row = {"kind": kind, "secret": secret, "line": line, "split": split_of(line)}
            out.write(orjson.dumps(row) + b"\n")
    print("secrets", len(rows), "kinds", len({k for k, _, _ in rows}))
    with (HERE / "benign.jsonl").open("wb") as out:
        count = 0
        for kind, make, place in BENIGN:
            for _ in range(12):
                value = make(rng)
                line = place(value)
                row = {"kind": kind, "value": value, "line": line, "split": split_of(line)}
                out.write(orjson.dumps(row) + b"\n")
                count += 1
    print("benign", count)


if __name__ == "__main__":
    main()

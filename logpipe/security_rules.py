"""Security rules: the model shared by built-in and user (YAML) rules, and the built-in set."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from logpipe.errors import ConfigError
from logpipe.yamlfile import read_yaml

URL_FIELDS = ("url.original", "url.path", "url.query", "request", "path")
UA_FIELDS = ("user_agent.original", "agent")
REQUEST_FIELDS = (
    *URL_FIELDS,
    *UA_FIELDS,
    "http.request.body.content",
    "http.request.referrer",
)
SEP = r"(?:\s|\+|/\*[^*]*\*/)+"  # SQL token gap: spaces, `+`, or /* comments */


class Rule(BaseModel):
    """One detection: patterns (any matches) in some fields, or HTTP status codes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str
    category: str
    patterns: tuple[str, ...] = ()
    status: tuple[int, ...] = ()
    fields: tuple[str, ...] | None = None
    caseless: bool = True
    unless: str | None = None
    event_category: tuple[str, ...] = ("intrusion_detection",)
    event_type: tuple[str, ...] = ("info",)
    event_outcome: str | None = None
    auth_failure: bool = False

    @field_validator("unless")
    @classmethod
    def _unless_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"bad `unless` regex: {exc}") from None
        return value

    @model_validator(mode="after")
    def _has_condition(self) -> Rule:
        if not self.patterns and not self.status:
            raise ValueError("a rule needs `patterns` or `status`")
        return self


def _attack(rule_id: str, name: str, category: str, *patterns: str, **extra: Any) -> dict:
    return {"id": rule_id, "name": name, "category": category, "patterns": patterns, **extra}


def _auth(rule_id: str, name: str, **extra: Any) -> dict:
    auth = {
        "category": "authentication",
        "event_category": ("authentication",),
        "event_type": ("start",),
        "event_outcome": "failure",
        "auth_failure": True,
    }
    return {"id": rule_id, "name": name, **auth, **extra}


# Patterns must compile in both Hyperscan and RE2: no backreferences, no lookaround.
# Rules whose patterns are common in free text are limited to request fields.
BUILTIN_RULES: tuple[dict, ...] = (
    _auth("auth.http_unauthorized", "HTTP 401 Unauthorized", status=(401,)),
    _auth("auth.http_forbidden", "HTTP 403 Forbidden", status=(403,)),
    _auth(
        "auth.ssh_failure",
        "SSH login failure",
        caseless=False,
        patterns=(
            r"\bFailed (?:password|publickey|keyboard-interactive/pam|none) for ",
            r"\bInvalid user (?:\S+ )?from [0-9A-Fa-f:.]+",
            r"\bmaximum authentication attempts exceeded for ",
            r"\bToo many authentication failures\b",
            r"\bConnection closed by authenticating user \S+ [0-9A-Fa-f:.]+ port \d+ \[preauth\]",
        ),
    ),
    _auth(
        "auth.sudo_failure",
        "sudo failure",
        caseless=False,
        patterns=(r"\b\d+ incorrect password attempts?\b", r"\bNOT in sudoers\b"),
    ),
    _auth(
        "auth.pam_failure", "PAM authentication failure", patterns=(r"\bauthentication failure\b",)
    ),
    _attack(
        "sqli.tautology",
        "SQL injection: tautology",
        "sql_injection",
        rf"['\"`)]\s*(?:or|and|\|\|)(?:{SEP})\(?\s*['\"]?\w+['\"]?\s*(?:=|<>|!=|<=|>=|like\b)\s*\(?['\"]?\w",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "sqli.always_true",
        "SQL injection: or 1=1",
        "sql_injection",
        rf"\bor{SEP}(?:'1'\s*=\s*'1|\"1\"\s*=\s*\"1|1\s*=\s*1\b)",
    ),
    _attack(
        "sqli.union_select",
        "SQL injection: UNION SELECT",
        "sql_injection",
        rf"\bunion{SEP}(?:(?:all|distinct){SEP})?\(?\s*select\b",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "sqli.time_based",
        "SQL injection: time delay",
        "sql_injection",
        rf"(?:['\")]|\b(?:and|or|select|;))(?:{SEP})?(?:sleep|pg_sleep|benchmark)\s*\(\s*\d",
        r"\bwaitfor\s+delay\s+'\d",
        r"\bdbms_pipe\.receive_message\b",
    ),
    _attack(
        "sqli.schema_probe",
        "SQL injection: schema probing",
        "sql_injection",
        r"\binformation_schema\b",
        r"\bpg_catalog\b",
        r"\bsysobjects\b",
        r"\bsqlite_master\b",
        r"\bmysql\.user\b",
        r"@@version\b",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "sqli.dangerous_function",
        "SQL injection: file or command function",
        "sql_injection",
        r"\bxp_cmdshell\b",
        r"\bload_file\s*\(",
        rf"\binto{SEP}(?:out|dump)file\b",
        r"\butl_http\.request\b",
        r"\bsp_oacreate\b",
    ),
    _attack(
        "sqli.stacked_query",
        "SQL injection: stacked statement",
        "sql_injection",
        rf";\s*(?:drop|truncate|alter){SEP}(?:table|database|schema)\b",
        rf";\s*(?:delete{SEP}from|insert{SEP}into|shutdown\b|exec(?:ute)?{SEP}(?:xp_|sp_|master\.))",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "sqli.comment",
        "SQL injection: quote then comment",
        "sql_injection",
        r"\w['\"]\s*(?:--|#|/\*)",
        fields=(*URL_FIELDS, "http.request.body.content"),
    ),
    _attack("xss.script_tag", "XSS: script tag", "xss", r"<\s*/?\s*script\b"),
    _attack(
        "xss.event_handler",
        "XSS: event handler attribute",
        "xss",
        r"(?:<[^>\n]*|['\"]\s*)\bon(?:error|load|mouseover|mouseenter|focus|blur|click|toggle|begin"
        r"|start|animationstart|pointerover|wheel)\s*=",
    ),
    _attack(
        "xss.javascript_uri",
        "XSS: script URI",
        "xss",
        r"\b(?:java|vb|live)script\s*:",
        r"\bdata:text/html\b",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "xss.probe",
        "XSS: alert or cookie probe",
        "xss",
        r"\b(?:alert|prompt|confirm)\s*(?:\(|`)\s*(?:\d|document\b|['\"`]|/)",
        r"\bdocument\.(?:cookie|domain)\b",
        r"\bString\.fromCharCode\s*\(",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "xss.html_tag",
        "XSS: active HTML tag in URL",
        "xss",
        r"<\s*(?:iframe|svg|object|embed|img|body|details|video|audio|math|base|form)\b",
        fields=URL_FIELDS,
    ),
    _attack(
        "path_traversal.dotdot",
        "Path traversal: ../ in URL",
        "path_traversal",
        r"(?:\.\.[/\\]){2}",
        r"[/\\]\.\.[/\\]",
        fields=URL_FIELDS,
    ),
    _attack(
        "path_traversal.sensitive_file",
        "Path traversal: ../ to a system file",
        "path_traversal",
        r"\.\.[/\\]+(?:[^\s'\"]*[/\\])?(?:etc[/\\]+(?:passwd|shadow|group|hosts|issue)"
        r"|proc[/\\]+self[/\\]|windows[/\\]+(?:win\.ini|system32)|boot\.ini|win\.ini)",
    ),
    _attack(
        "path_traversal.system_file",
        "Path traversal: system file requested",
        "path_traversal",
        r"/etc/(?:passwd|shadow)\b",
        r"\bc:(?:[/\\]|%5c)+windows\b",
        r"\b(?:win|boot)\.ini\b",
        r"/proc/self/(?:environ|cmdline|fd|maps)\b",
        r"\bWEB-INF[/\\]+web\.xml\b",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "path_traversal.encoded",
        "Path traversal: encoded dots",
        "path_traversal",
        r"(?:%2e|%252e){2}(?:%2f|%5c|%252f|%255c|[/\\])",
        r"\.\.(?:%2f|%5c|%252f|%255c|%c0%af|%c1%9c)",
        r"%c0%ae%c0%ae|%u002e%u002e",
    ),
    _attack(
        "cmdi.chained_command",
        "Command injection: chained shell command",
        "command_injection",
        r"(?:[;|&`]|\$\()\s*(?:cat|nc|ncat|netcat|wget|curl|tftp|bash|sh|zsh|id|whoami|uname|ping"
        r"|nslookup|rm|chmod|python[23]?|perl|php|ruby|busybox|telnet|powershell)(?:[\s;|&`)<>]|$)",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "cmdi.subshell",
        "Command injection: subshell",
        "command_injection",
        r"\$\(\s*[\w/]",
        r"`\s*(?:id|whoami|uname|cat|ls|wget|curl|nc|sh|bash|ping|sleep|echo|nslookup)\b",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "cmdi.shell_path",
        "Command injection: shell binary",
        "command_injection",
        r"/bin/(?:ba|z|da|k|c)?sh\b",
        r"\bcmd(?:\.exe)?\s*/c\b",
        r"\bpowershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|nop|noprofile|w|windowstyle|c|command)\b",
        fields=REQUEST_FIELDS,
    ),
    _attack(
        "cmdi.shellshock",
        "Command injection: Shellshock",
        "command_injection",
        r"\(\s*\)\s*\{\s*:?\s*;?\s*\}\s*;",
    ),
    _attack("jndi.lookup", "Log4Shell: JNDI lookup", "jndi_injection", r"\$\{\s*jndi\s*:"),
    _attack(
        "jndi.obfuscated",
        "Log4Shell: obfuscated lookup",
        "jndi_injection",
        r"\$\{[^}\n]{0,40}\$\{\s*(?:lower|upper|::-|env|sys|date|main|base64|java)\s*:",
        r"\$\{\s*(?:lower|upper)\s*:\s*[jn]",
        r"\$\{\s*::-",
    ),
    _attack(
        "jndi.env_lookup",
        "Log4j lookup of environment or system data",
        "jndi_injection",
        r"\$\{\s*(?:env|sys|java|ctx|main|bundle|k8s|docker|spring|log4j|jvmrunargs|base64)\s*:",
    ),
    _attack(
        "scanner.user_agent",
        "Known scanner user agent",
        "scanner",
        r"\b(?:sqlmap|nikto|nmap|masscan|zgrab|nuclei|wpscan|dirbuster|gobuster|acunetix|netsparker"
        r"|openvas|nessus|w3af|arachni|skipfish|havij|zmeu|morfeus|hydra|feroxbuster|wfuzz|jaeles"
        r"|whatweb|commix|paros|webinspect|appscan|fimap|dotdotpwn|xsstrike|joomscan|droopescan"
        r"|censysinspect|l9explore|interactsh)\b",
        r"\bFuzz Faster U Fool\b",
        fields=UA_FIELDS,
    ),
    _attack(
        "recon.sensitive_file",
        "Probe for a secrets or VCS file",
        "reconnaissance",
        r"/\.(?:env|git/(?:config|HEAD|index)|svn/(?:entries|wc\.db)|aws/credentials|htpasswd"
        r"|DS_Store|ssh/id_(?:rsa|dsa|ecdsa|ed25519)|bash_history|npmrc|docker/config\.json)\b",
        r"/wp-config\.php[.~_-]",
        r"/phpinfo\.php\b",
        fields=URL_FIELDS,
    ),
    _attack(
        "ssrf.cloud_metadata",
        "SSRF: cloud metadata address",
        "ssrf",
        r"\b169\.254\.169\.254\b",
        r"\bmetadata\.google\.internal\b",
        r"\b100\.100\.100\.200\b",
        fields=REQUEST_FIELDS,
    ),
)
# Fired by the stage's per-source failure window, not by a pattern or status.
BRUTE_FORCE = Rule.model_construct(
    id="auth.brute_force",
    name="Repeated authentication failures from one source",
    category="brute_force",
    event_category=("authentication", "intrusion_detection"),
    event_type=("info",),
)


def builtin_rules() -> list[Rule]:
    """The built-in rules, validated; the brute-force rule last."""
    return [*(Rule.model_validate(raw) for raw in BUILTIN_RULES), BRUTE_FORCE]


def load_rules(path: Path) -> list[Rule]:
    """Read user rules from a YAML file: a list, or a mapping with a `rules` list."""
    data = read_yaml(path, "security rules file")
    if isinstance(data, dict):
        data = data.get("rules")
    if not isinstance(data, list):
        raise ConfigError(f"security rules file {path}: expected a list of rules under `rules`")
    rules = []
    for n, raw in enumerate(data):
        try:
            rules.append(Rule.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "rule"
            rid = raw.get("id", f"#{n + 1}") if isinstance(raw, dict) else f"#{n + 1}"
            raise ConfigError(
                f"security rules file {path}: rule {rid}: {where}: {err['msg']}"
            ) from None
    return rules

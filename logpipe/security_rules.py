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
# Where a URL-valued parameter can make the server fetch: not the user agent, not the referrer
# (a browser's `http://localhost:3000/` referrer is ordinary).
FETCH_FIELDS = (*URL_FIELDS, "http.request.body.content")


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
    description: str = ""
    mitre: tuple[str, ...] = ()

    @field_validator("unless")
    @classmethod
    def _unless_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"bad `unless` regex: {exc}") from None
        return value

    @field_validator("mitre")
    @classmethod
    def _mitre_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [t for t in value if not re.fullmatch(r"T\d{4}(?:\.\d{3})?", t)]
        if bad:
            raise ValueError(f"not MITRE ATT&CK technique ids: {bad}")
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
        "mitre": ("T1110",),
    }
    return {"id": rule_id, "name": name, **auth, **extra}


# Patterns must compile in both Hyperscan and RE2: no backreferences, no lookaround. They run
# over the value and its normalised form (`logpipe.normalize_text`: decoded, unescaped, SQL
# comments as spaces), so they need not spell encodings out.
# Rules whose patterns are common in free text are limited to request fields.
_SQL_GAP = r"[\s(+]*"
_CMD_SEP = r"(?:[;|&`\n\r]|\$\(|\|\||&&|\\n)"
_UNIX_CMDS = (
    r"id|whoami|uname|cat|ls|pwd|ifconfig|netstat|ps|wget|curl|nc|ncat|netcat|telnet|bash|sh|zsh"
    r"|dash|ksh|python[23]?|perl|php|ruby|lua|node|sleep|ping|nslookup|dig|host|echo|rm|chmod"
    r"|chown|touch|mkdir|cp|mv|env|printenv|export|hostname|head|tail|more|less|find|xterm"
    r"|busybox|awk|base64|eval|exec|uptime|w|who|last|crontab|kill|socat|openssl|tftp|ftp|scp"
    r"|ssh|useradd|passwd|sudo|su|grep|xxd|od|nohup|set"
)
_WIN_CMDS = (
    r"dir|type|copy|del|ver|systeminfo|ipconfig|net|netsh|tasklist|taskkill|powershell|pwsh|cmd"
    r"|certutil|bitsadmin|wmic|reg|findstr|timeout|start|mshta|rundll32|regsvr32|cscript|wscript"
)
_CMD_END = r"(?:[\s;|&`)<>'\"$,\\]|$)"
_INTERNAL_HOST = (
    r"(?:localhost|localtest\.me|[\w.-]*\.(?:localhost|local|internal|nip\.io|xip\.io|sslip\.io)"
    r"|127(?:\.\d{1,3}){0,3}|0(?:\.0{1,3}){0,3}|0\d{1,11}(?:\.\d{1,11}){0,3}"
    r"|0x[0-9a-f]{1,16}(?:\.(?:0x)?[0-9a-f]{1,8}){0,3}|\d{8,10}"
    r"|(?:0?o|q)[0-7]{1,4}(?:\.\d{1,4}){0,3}"
    r"|10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2}"
    r"|169\.254(?:\.\d{1,3}){2}|100\.100\.100\.200|metadata|instance-data"
    r"|\[(?:0{0,4}:){1,7}(?:0{0,4}|0{0,3}1)\]|\[(?:0{0,4}:){1,6}ffff:[0-9a-f.:]+\]"
    r"|\[f[cd][0-9a-f]{0,2}:[0-9a-f:]*\]|\[fe80:[0-9a-f:%\w]*\]|192\.0\.0\.192"
    r"|(?:\d{1,3}\.)*(?:25[6-9]|2[6-9]\d|[3-9]\d\d)(?:\.\d{1,3})*"  # an octet past 255
    r"|[a-z][a-z0-9-]{0,62})"  # last: a single-label (intranet) name
)
_URL_START = r"(?:^|[=\s'\"(,;<>]|\x00)"

_SQLI = {"mitre": ("T1190",)}
_CMDI = {"mitre": ("T1059", "T1190")}
_TRAVERSAL = {"mitre": ("T1083", "T1190")}
_SSRF = {"mitre": ("T1190",)}
_XSS = {"mitre": ("T1059.007", "T1189")}

BUILTIN_RULES: tuple[dict, ...] = (
    _auth(
        "auth.http_unauthorized",
        "HTTP 401 Unauthorized",
        status=(401,),
        description="The server refused a request for missing or wrong credentials.",
    ),
    _auth(
        "auth.http_forbidden",
        "HTTP 403 Forbidden",
        status=(403,),
        description="The server refused a request the client is not allowed to make.",
    ),
    _auth(
        "auth.ssh_failure",
        "SSH login failure",
        caseless=False,
        patterns=(
            r"\bFailed (?:password|publickey|keyboard-interactive(?:/pam)?|none|hostbased"
            r"|gssapi-with-mic) for ",
            r"\b[Ii]nvalid user (?:\S*\s)?from\b",
            r"\binput_userauth_request: invalid user\b",
            r"\bmaximum authentication attempts exceeded for ",
            r"\bToo many authentication failures\b",
            r"\b(?:Connection closed|Disconnected) (?:by|from) (?:authenticating|invalid) user\b",
            r"\bUser \S* from \S+ not allowed because\b",
            r"\bNo more user authentication methods available\b",
            r"\bAuth fail\b",
            r"\bPAM(?: service\(\w+\))? ignoring max retries\b",
            r"\berror: PAM: (?:Authentication failure|User not known)",
            r"\bFailed \S+ for (?:invalid user )?\S* from \S+ port \d+",
        ),
        description="sshd refused a login: bad password or key, unknown or disallowed user.",
        mitre=("T1110", "T1021.004"),
    ),
    _auth(
        "auth.pam_failure",
        "PAM authentication failure",
        patterns=(
            r"\bauthentication failures?\b",
            r"\bcheck pass; user unknown\b",
            r"\bauthentication failed\b",
            r"\bcouldn't authenticate user\b",
            r"\bauth could not identify password\b",
            r"\bFAILED LOGIN\b",
            r"\bPAM \d+ more authentication failures?\b",
        ),
        description="A PAM module (system login, sshd, su, sudo) reported a failed authentication.",
    ),
    _auth(
        "auth.sudo_failure",
        "sudo failure",
        caseless=False,
        patterns=(
            r"\b\d+ incorrect password attempts?\b",
            r"\bNOT in sudoers\b",
            r"\buser NOT authorized on host\b",
            r"\bsudo: (?:a password is required|\d+ incorrect password|no tty present)",
            r": a password is required ; TTY=",
            r"\bpam_unix\(sudo(?:-i)?:auth\): (?:conversation failed|auth could not)",
        ),
        description="sudo refused a user: wrong password or not allowed.",
        mitre=("T1110", "T1548.003"),
    ),
    _auth(
        "auth.su_failure",
        "su failure",
        caseless=False,
        patterns=(
            r"\bFAILED SU \(to \S+\)",
            r"\bBAD SU \S+ to \S+",
            r"\bsu(?:\[\d+\])?: (?:FAILED|Authentication failure|pam_authenticate: Authentication)",
            r"\bpam_unix\(su(?:-l)?:auth\): authentication failure",
        ),
        description="su refused to switch user after a wrong password.",
        mitre=("T1110", "T1548"),
    ),
    _auth(
        "auth.http_basic_failure",
        "HTTP basic authentication failure",
        caseless=False,
        patterns=(
            r"\buser \"[^\"\n]{0,256}\" was not found in \"",
            r"\buser \"[^\"\n]{0,256}\": password mismatch\b",
            r"\bno user/password was provided for basic authentication\b",
            r"\bAH01617: user .{0,256}: authentication failure for\b",
            r"\bAH01618: user .{0,256} not found\b",
            r"\bAH01614: client used wrong authentication scheme\b",
            r"\bAH0179[0-9]: .{0,40}(?:password mismatch|authentication failure)",
        ),
        description="nginx or Apache refused basic-auth credentials.",
    ),
    _attack(
        "sqli.tautology",
        "SQL injection: tautology",
        "sql_injection",
        rf"['\"`)]\s*(?:or|and|xor|\|\||&&){_SQL_GAP}['\"`]?[\w.]*['\"`]?[\s)]*(?:=|<>|!=|<=|>=|<|>"
        r"|\blike\b|\bis\b|\bregexp\b|\brlike\b|\^|&|\*|\|)",
        r"\blike\s+['\"]%['\"]",
        r"\b(?:or|and)\s+[a-z]\w{0,10}\s*=\s*[a-z]\w{0,10}\s*(?:--|#|;|$|\x00)",
        r"['\"`]\s*(?:or|and)\s+['\"`]\d+['\"`]?\s*(?:$|\x00|--|#)",
        r"\bhaving\s+\d+\s*=\s*\d+",
        rf"['\"`)]\s*(?:or|and|\|\||&&){_SQL_GAP}(?:true|false|not\b|\d+\b|['\"`][^'\"`]*['\"`]\s*[-#;])",
        r"\b(?:or|and|xor)\s+\(*\s*(?:\d+|'\w*'|\"\w*\")\s*(?:=|<>|!=|<|>|like\b)\s*\(*\s*(?:\d|'|\")",
        r"\bor\s+(?:true|not\s+false)\s*(?:--|#|/\*|;|$|\x00)",
        fields=REQUEST_FIELDS,
        description="A quote or bracket closes a value, then a condition that is always true.",
        **_SQLI,
    ),
    _attack(
        "sqli.always_true",
        "SQL injection: or 1=1",
        "sql_injection",
        r"\bor(?:\s|\+)+(?:'1'\s*=\s*'1|\"1\"\s*=\s*\"1|1\s*=\s*1\b)",
        description="The classic OR 1=1, in any field (also free text such as a raw request line).",
        **_SQLI,
    ),
    _attack(
        "sqli.union_select",
        "SQL injection: UNION SELECT",
        "sql_injection",
        r"\bunion\s+(?:(?:all|distinct)\s+)?\(?\s*select\s+(?:null|all|distinct|\d|@@|\*|\(|0x|'|\""
        r"|concat|char|group_concat|user|version|database|schema|table_name|column_name|[\w.]+\s*,)",
        r"\bunion\s+(?:(?:all|distinct)\s+)?\(?\s*select\b[^\x00]{0,200}\bfrom\b",
        fields=REQUEST_FIELDS,
        description="A UNION SELECT appends attacker rows to a query's result.",
        **_SQLI,
    ),
    _attack(
        "sqli.time_based",
        "SQL injection: time delay",
        "sql_injection",
        r"\b(?:sleep|pg_sleep|benchmark)\s*\(\s*\d",
        r"\bwaitfor\s+(?:delay|time)\s*['\"]",
        r"\bdbms_(?:pipe\.receive_message|lock\.sleep)\b",
        r"\brandomblob\s*\(\s*\d{6,}",
        r"\bpg_sleep\b",
        fields=REQUEST_FIELDS,
        description="A function that delays the response, to read answers from timing.",
        **_SQLI,
    ),
    _attack(
        "sqli.order_by_probe",
        "SQL injection: column probing",
        "sql_injection",
        r"\b(?:order|group)\s+by\s+\d+\s*(?:--|#|/\*|;|\x00|$|,\s*\d+\s*(?:--|#))",
        r"['\")]\s*(?:order|group)\s+by\s+\d",
        fields=REQUEST_FIELDS,
        description="ORDER BY n with a comment terminator finds how many columns a query has.",
        **_SQLI,
    ),
    _attack(
        "sqli.stacked_query",
        "SQL injection: stacked statement",
        "sql_injection",
        r";\s*(?:drop|truncate|alter|create)\s+(?:table|database|schema|user|procedure|function)\b",
        r";\s*(?:delete\s+from|insert\s+into|update\s+\w+\s+set|shutdown\b|declare\s+@"
        r"|exec(?:ute)?\s*(?:\(|xp_|sp_|master\.|@)|select\s+(?:\*|@@|pg_|sleep|benchmark|\d|case|if"
        r"|count|char|null|user|version|load_file))",
        fields=REQUEST_FIELDS,
        description="A semicolon ends the query and starts another statement.",
        **_SQLI,
    ),
    _attack(
        "sqli.error_based",
        "SQL injection: error-based extraction",
        "sql_injection",
        r"\b(?:convert|cast)\s*\(\s*(?:int|integer|numeric|varchar)\b",
        r"['\"]\s*;?\s*(?:insert\s+into|delete\s+from|drop\s+(?:table|database)|grant\s+\w+"
        r"|truncate\s+table|update\s+\w+\s+set|exec(?:ute)?\s+\w|create\s+(?:user|table)\b)",
        r"['\"],\s*null\b",
        r"\bcast\s*\([^\x00]{1,120}\bas\s+(?:int|integer|numeric|signed|unsigned)\b",
        r"\b(?:extractvalue|updatexml|gtid_subset|json_keys|exp)\s*\(\s*(?:~|\d|rand|0x|\(|concat)",
        r"\butl_inaddr\.get_host_(?:name|address)\b",
        r"\bctxsys\.drithsx\b",
        r"\bfloor\s*\(\s*rand\s*\(",
        r"\b(?:and|or)\s+\d+\s*=\s*(?:\(|convert|cast)",
        r"\bselect\s+@@\w+",
        r"\bif\s*\(\s*\d+\s*=\s*\d+\s*\)\s*select\b",
        fields=REQUEST_FIELDS,
        description="A type-cast or XML function makes the database print data in an error.",
        **_SQLI,
    ),
    _attack(
        "sqli.blind_probe",
        "SQL injection: blind probe",
        "sql_injection",
        r"\b(?:and|or|xor|&&|\|\|)\s+\(?\s*(?:select|ascii|substr(?:ing)?|mid|length|if|case"
        r"|char|ord|hex|exists|\d+\s*=\s*\(?\s*select)\b",
        r"\bif\s*\(\s*\d+\s*[=<>]\s*\d+\s*,",
        r"\bcase\s+when\s+\(?\s*\d+\s*[=<>]",
        r"(?:^|=|\x00)\s*(?:and|or)\s+(?:true|false|\d+)\b",
        r"\d-(?:true|false)\b",
        r"\b(?:ascii|ord)\s*\(\s*(?:substr|substring|mid)\s*\(",
        r"['\"]\s*(?:\|\||\+)\s*['\"]?\s*(?:select|sleep|char|chr)\b",
        r"['\"]\s*[-+*/]\s*\(?\s*select\b",
        fields=REQUEST_FIELDS,
        description="Boolean or substring conditions that read data one answer at a time.",
        **_SQLI,
    ),
    _attack(
        "sqli.schema_probe",
        "SQL injection: schema probing",
        "sql_injection",
        r"\binformation_schema\b",
        r"\bpg_catalog\b",
        r"\bpg_(?:shadow|user|tables|database|group|roles|authid)\b",
        r"\bselect\s+(?:session_user|current_user|system_user|user|database|version)\s*(?:\(\s*\))?"
        r"\s*(?:;|--|#|$|\x00)",
        r"\bsys(?:objects|columns|users|databases|logins)\b",
        r"\bmaster\.\.sys",
        r"\bsqlite_master\b",
        r"\bmysql\.user\b",
        r"\ball_tables\b",
        r"\bdba_users\b",
        r"\bv\$version\b",
        r"@@(?:version|datadir|hostname|servername|basedir)\b",
        r"\b(?:user|current_user|session_user|system_user|database|version|schema|db_name"
        r"|suser_sname|host_name)\s*\(\s*\)\s*(?:--|#|,|\)|;|\x00|$)",
        fields=REQUEST_FIELDS,
        description="Reads the database's catalog, version or current user.",
        **_SQLI,
    ),
    _attack(
        "sqli.dangerous_function",
        "SQL injection: file or command function",
        "sql_injection",
        r"\bxp_(?:cmdshell|regread|dirtree|fileexist|servicecontrol|availablemedia)\b",
        r"\bload_file\s*\(",
        r"\binto\s+(?:out|dump)file\b",
        r"\butl_(?:http|file)\.",
        r"\bsp_(?:oacreate|makewebtask|addlogin|password|configure|executesql)\b",
        r"\bopenrowset\s*\(",
        r"\bcopy\s+\w+\s+(?:from|to)\s+program\b",
        r"\blo_(?:import|export)\s*\(",
        r"\bbackup\s+database\b",
        r";\s*copy\s+\w+\s+(?:to|from)\b",
        r"\bexec(?:ute)?\s+(?:master\.\.)?(?:sp|xp)_",
        fields=REQUEST_FIELDS,
        description="Database functions that read files, write files or run commands.",
        **_SQLI,
    ),
    _attack(
        "sqli.comment",
        "SQL injection: quote then comment",
        "sql_injection",
        r"\w['\"`]\s*\)*\s*(?:--|#|/\*|;\s*(?:--|#|\x00|$))",
        r"['\"]\s*\)+\s*(?:--|#|;)",
        r"(?:^|[=(,]|\x00)\s*['\"`]\s*\)*\s*(?:--|#|/\*|;)",
        r"/\*!\d{0,6}",
        fields=(*URL_FIELDS, "http.request.body.content"),
        description="A quote closes a value and a comment cuts off the rest of the query.",
        **_SQLI,
    ),
    _attack(
        "xss.script_tag",
        "XSS: script tag",
        "xss",
        r"<\s*/?\s*script\b",
        description="A <script> element in input.",
        **_XSS,
    ),
    _attack(
        "xss.event_handler",
        "XSS: event handler attribute",
        "xss",
        r"(?:<[^>\n]*|['\"]\s*|\s/)\bon(?:error|load|mouseover|mouseenter|focus|focusin|blur|click"
        r"|toggle|begin|start|animationstart|animationend|pointerover|pointerdown|wheel|input|change"
        r"|keyup|keydown|submit|resize|scroll|transitionend|auxclick|dblclick|drag\w*|copy|paste"
        r"|afterprint|beforeprint|hashchange|message|pageshow|popstate|unload|search|select"
        r"|readystatechange|cut|end|finish|bounce|show|contextmenu|mouse\w+)\s*=",
        r"<[^>\n]*[\s/\"']on[a-z]{3,}\s*=",
        description="An on...= event handler attribute that runs script.",
        **_XSS,
    ),
    _attack(
        "xss.javascript_uri",
        "XSS: script URI",
        "xss",
        r"\b(?:java|vb|live)script\s*:",
        r"\bdata:text/html\b",
        r"\bdata:[\w/+.-]*;base64,",
        fields=REQUEST_FIELDS,
        description="A javascript: or data: URI that runs script when followed.",
        **_XSS,
    ),
    _attack(
        "xss.probe",
        "XSS: alert or cookie probe",
        "xss",
        r"\b(?:alert|prompt|confirm|print)\s*(?:\(|`)\s*(?:\d|document\b|['\"`]|/|window\b|\))",
        r"\bdocument\.(?:cookie|domain|write|location)\b",
        r"\bString\.fromCharCode\s*\(",
        r"\(\s*(?:alert|prompt|confirm)\s*\)\s*\(",
        r"\beval\s*\(\s*(?:atob|String|unescape|location|name)",
        r"\b(?:top|window|self|parent|this)\s*\[\s*(?:['\"`]|\d+\s*\.\.)",
        r"\bsrcdoc\s*=",
        r"\bexpression\s*\(",
        fields=REQUEST_FIELDS,
        description="Script that pops an alert or reads cookies: a typical XSS probe.",
        **_XSS,
    ),
    _attack(
        "xss.html_tag",
        "XSS: active HTML tag in URL",
        "xss",
        r"<\s*(?:iframe|svg|object|embed|img|body|details|video|audio|math|base|form|input|marquee"
        r"|isindex|frameset|frame|style|link|meta|textarea|button|select|keygen|xss|a\s|image"
        r"|table|td|div|x\s|html|applet|bgsound|layer|xml|animate|set|use|template|noscript)\b",
        fields=URL_FIELDS,
        description="Markup that can carry script, inside a URL.",
        **_XSS,
    ),
    _attack(
        "path_traversal.dotdot",
        "Path traversal: ../ in URL",
        "path_traversal",
        r"\.\.+[/\\]+\.\.+[/\\]",
        r"(?:^|\x00|[/\\])\.\.+[/\\;]",
        r"\.\.;[/\\]",
        r"\.\.(?:%?25)*%?(?:2f|5c)",
        r"\.\.0x(?:2f|5c)",
        fields=URL_FIELDS,
        description="../ segments that climb out of the served directory.",
        **_TRAVERSAL,
    ),
    _attack(
        "path_traversal.sensitive_file",
        "Path traversal: ../ to a system file",
        "path_traversal",
        r"\.\.[/\\]+(?:[^\s'\"]*[/\\])?(?:etc[/\\]+(?:passwd|shadow|group|hosts|issue)"
        r"|proc[/\\]+self[/\\]|windows[/\\]+(?:win\.ini|system32)|boot\.ini|win\.ini)",
        description="../ segments that reach a well-known system file.",
        **_TRAVERSAL,
    ),
    _attack(
        "path_traversal.system_file",
        "Path traversal: system file requested",
        "path_traversal",
        r"[/\\]etc[/\\]+(?:passwd|shadow|group|hosts|issue|motd|fstab|crontab|sudoers)\b",
        r"\b[a-z]:(?:[/\\]|%5c)+(?:windows|winnt|boot\.ini|inetpub)\b",
        r"\b(?:win|boot|system|desktop)\.ini\b",
        r"[/\\]proc[/\\]+(?:self|\d+)[/\\]+(?:environ|cmdline|fd|maps|status|mounts)\b",
        r"\bWEB-INF[/\\]+web\.xml\b",
        r"[/\\](?:winnt|windows)[/\\]+(?:system32|repair|win\.ini)\b",
        r"[/\\]var[/\\]+log[/\\]+(?:apache\d?|httpd|nginx|auth\.log|secure|messages)\b",
        r"[/\\]\.(?:htpasswd|htaccess|bash_history|ssh[/\\])",
        r"(?:^|[=/\\]|\x00)\.ht(?:access|passwd)\b",
        fields=REQUEST_FIELDS,
        description="A request for a well-known system file.",
        **_TRAVERSAL,
    ),
    _attack(
        "path_traversal.encoded",
        "Path traversal: encoded dots",
        "path_traversal",
        r"(?:%2e|%252e|%u002e|%uff0e|%c0%ae|%e0%80%ae){2}",
        r"\.(?:%2e|%252e|%u002e|%c0%ae)|(?:%2e|%252e|%u002e|%c0%ae)\.",
        r"\.\.(?:%2f|%5c|%252f|%255c|%c0%af|%c1%9c|%c0%2f|%c1%1c|%u2215|%u2216|%e0%80%af)",
        r"%(?:c0|c1|e0%80|f0%80%80|f8%80%80%80|fc%80%80%80%80)%[0-9a-f]{2}",
        r"%c[01]%(?:qf|8s|pc|9v)|%bg%qf|%u(?:efc8|f025|2215|2216|ff0e)",
        description="../ spelled with URL, %u or overlong UTF-8 encodings.",
        **_TRAVERSAL,
    ),
    _attack(
        "cmdi.chained_command",
        "Command injection: chained shell command",
        "command_injection",
        rf"{_CMD_SEP}\s*['\"]?\s*(?:/?(?:usr/)?(?:local/)?s?bin/)?(?:{_UNIX_CMDS}){_CMD_END}",
        rf"{_CMD_SEP}\s*['\"]?\s*(?:{_WIN_CMDS})(?:\.exe)?{_CMD_END}",
        rf"{_CMD_SEP}\s*(?:/usr)?(?:/local)?/s?bin/\w+",
        rf"[?&](?:cmd|command|exec|execute|shell|run|system|sh)=\s*(?:{_UNIX_CMDS}|{_WIN_CMDS}"
        r"|which|phpinfo)\b",
        r"<!--\s*#\s*(?:exec|include|echo|config)\b",
        fields=REQUEST_FIELDS,
        description="A shell separator followed by a command (Unix or Windows).",
        **_CMDI,
    ),
    _attack(
        "cmdi.subshell",
        "Command injection: subshell",
        "command_injection",
        r"\$\(\s*[\w/]",
        rf"`\s*(?:(?:/usr)?/s?bin/)?(?:{_UNIX_CMDS})\b",
        r"\$\{IFS\}|\$IFS\b",
        r"\{\s*(?:cat|ls|id|echo|wget|curl|nc|sleep|ping|uname|whoami),",
        fields=REQUEST_FIELDS,
        description="$(...), backticks or ${IFS}: shell substitution in input.",
        **_CMDI,
    ),
    _attack(
        "cmdi.shell_path",
        "Command injection: shell binary",
        "command_injection",
        r"/bin/(?:ba|z|da|k|c|tc)?sh\b",
        r"\bcmd(?:\.exe)?\s*/[ck]\b",
        r"\bpowershell(?:\.exe)?\s+-(?:e|enc|encodedcommand|nop|noprofile|w|windowstyle|c|command"
        r"|exec|executionpolicy)\b",
        r"/dev/(?:tcp|udp)/",
        r"\b(?:nc|ncat|netcat)\s+(?:-\w+\s+)*-[ec]\s",
        r"\bbash\s+-i\b",
        fields=REQUEST_FIELDS,
        description="A shell binary, reverse shell or encoded PowerShell in input.",
        **_CMDI,
    ),
    _attack(
        "cmdi.language_call",
        "Command injection: language-level command call",
        "command_injection",
        r"\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|assert)\s*\(\s*['\"$\w]",
        r"\beval\s*\(\s*(?:\$_|base64_decode|gzinflate|str_rot13|['\"])",
        r"\bRuntime\.getRuntime\s*\(\s*\)\s*\.exec\b",
        r"\bProcessBuilder\s*\(",
        r"\b(?:os\.system|os\.popen|subprocess\.\w+|child_process|__import__\s*\(\s*['\"]os)",
        r"\bphpinfo\s*\(\s*\)",
        r"\{\$\{\s*\w+\s*\(",
        fields=REQUEST_FIELDS,
        description="system(), exec(), passthru() and kin: code that runs an OS command.",
        **_CMDI,
    ),
    _attack(
        "cmdi.shellshock",
        "Command injection: Shellshock",
        "command_injection",
        r"\(\s*\)\s*\{\s*:?\s*;?\s*\}\s*;",
        description="A Bash function definition in a header (CVE-2014-6271).",
        **_CMDI,
    ),
    _attack(
        "ssrf.internal_url",
        "SSRF: URL to an internal address",
        "ssrf",
        rf"{_URL_START}(?:[a-z][a-z0-9+.-]{{0,15}}:)?//(?:[^/\s@?#\x00]{{0,256}}@)?{_INTERNAL_HOST}"
        r"(?:[^\w.-]|$)",
        fields=FETCH_FIELDS,
        description="A URL-valued parameter naming loopback, private or link-local addresses "
        "in any notation.",
        **_SSRF,
    ),
    _attack(
        "ssrf.scheme",
        "SSRF: non-HTTP scheme in a parameter",
        "ssrf",
        rf"{_URL_START}(?:file|gopher|dict|ldaps?|tftp|jar|netdoc|expect|phar|sftp|smb|ssh2\.\w+"
        r"|ogg|rar|zip|glob|php)://",
        rf"{_URL_START}file:(?:/|\\\\)",
        fields=FETCH_FIELDS,
        description="file:, gopher:, dict:, ldap: and other schemes a server-side fetcher follows.",
        **_SSRF,
    ),
    _attack(
        "ssrf.cloud_metadata",
        "SSRF: cloud metadata address",
        "ssrf",
        r"\b169\.254\.169\.254\b",
        r"\b169\.254\.170\.2\b",
        r"\bmetadata\.google\.internal\b",
        r"\b100\.100\.100\.200\b",
        r"\b2852039166\b",
        r"\b0xa9fea9fe\b",
        r"\b0251\.0376\.0251\.0376\b",
        r"\[fd00:ec2::254\]",
        r"/latest/(?:meta-data|user-data|api/token)\b",
        r"/computeMetadata/v1\b",
        r"/metadata/(?:instance|identity)\b",
        fields=FETCH_FIELDS,
        description="A cloud instance metadata service, which hands out credentials.",
        mitre=("T1190", "T1552.005"),
    ),
    _attack(
        "jndi.lookup",
        "Log4Shell: JNDI lookup",
        "jndi_injection",
        r"\$\{\s*jndi\s*:",
        description="A ${jndi:...} lookup (CVE-2021-44228).",
        mitre=("T1190", "T1203"),
    ),
    _attack(
        "jndi.obfuscated",
        "Log4Shell: obfuscated lookup",
        "jndi_injection",
        r"\$\{[^}\n]{0,40}\$\{\s*(?:lower|upper|::-|env|sys|date|main|base64|java)\s*:",
        r"\$\{\s*(?:lower|upper)\s*:\s*[jn]",
        r"\$\{\s*::-",
        description="A JNDI lookup hidden behind nested ${lower:} or ${::-} lookups.",
        mitre=("T1190", "T1203"),
    ),
    _attack(
        "jndi.env_lookup",
        "Log4j lookup of environment or system data",
        "jndi_injection",
        r"\$\{\s*(?:env|sys|java|ctx|main|bundle|k8s|docker|spring|log4j|jvmrunargs|base64)\s*:",
        description="A Log4j lookup that leaks environment or system properties.",
        mitre=("T1190", "T1082"),
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
        description="The user agent of a vulnerability scanner or fuzzer.",
        mitre=("T1595.002",),
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
        description="A request for a file that holds secrets or source history.",
        mitre=("T1595.003",),
    ),
)
# Fired by the stage's per-source failure window, not by a pattern or status.
BRUTE_FORCE = Rule.model_construct(
    id="auth.brute_force",
    name="Repeated authentication failures from one source",
    category="brute_force",
    event_category=("authentication", "intrusion_detection"),
    event_type=("info",),
    description="`threshold` authentication failures (including HTTP 401/403) from one source "
    "within the window.",
    mitre=("T1110.001",),
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

"""The redact stage and redact_text: each secret kind, benign look-alikes, modes, fuzzing."""

from __future__ import annotations

import copy
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from logpipe.errors import ConfigError
from logpipe.keynames import WEAK_NAMES
from logpipe.redaction_text import TextRedactor, redact_text
from logpipe.secrets_patterns import (
    RULE_IDS,
    TEXT_KEY_NAMES,
    VALUE_RULES,
    card_ok,
    iban_ok,
    luhn_ok,
)
from logpipe.stages.base import BuildContext
from logpipe.stages.redact import FAILURE_TAG, RedactConfig, RedactStage

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3JfMTIzIiwibmFtZSI6IkpvaG4ifQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)

# (text, rule id, the secret that must be gone)
SECRETS = [
    (
        "loaded key:\n" + PEM + "\ndone",
        "private_key",
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t",
    ),
    (
        "key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA (truncated",
        "private_key",
        "b3BlbnNzaC1rZXktdjEAAAAA",
    ),
    ("db at postgres://app:S3cr3t!pw@db.internal:5432/app up", "url_password", "S3cr3t!pw"),
    ("GET https://bob:hunter22@api.example.com/v1 200", "url_password", "hunter22"),
    ("Authorization: Bearer " + JWT, "auth_header", "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    ("proxy-authorization=Digest username=x, response=6629fae4939", "auth_header", "6629fae4939"),
    ("Cookie: JSESSIONID=A1B2C3D4E5F6; theme=dark", "cookie_header", "A1B2C3D4E5F6"),
    ("login attempt user=bob password=hunter2 from 10.0.0.1", "secret_param", "hunter2"),
    ("GET /reset?email_sent=1&pwd=Tr0ub4dor&3 HTTP/1.1", "secret_param", "Tr0ub4dor"),
    (
        "GET /cb?code=x&access_token=a8f5f167f44f4964e6c998dee827110c HTTP/1.1",
        "secret_param",
        "a8f5f167f44f4964e6c998dee827110c",
    ),
    ('payload {"user":"bob","password":"correct horse battery"}', "secret_param", "correct horse"),
    ("config api_key='9f8e7d6c5b4a' loaded", "secret_param", "9f8e7d6c5b4a"),
    ("X-Api-Key: 0a1b2c3d4e5f60718293", "secret_param", "0a1b2c3d4e5f60718293"),
    ("DB_PASSWORD=p@ssw0rd123 ./run", "secret_param", "p@ssw0rd123"),
    ("token: Bearer abcdef1234567890", "secret_param", "abcdef1234567890"),
    ("GET /api?x=1&sig=AbCdEf0123456789xyz HTTP/1.1", "secret_param", "AbCdEf0123456789xyz"),
    ("GET /s3/o?X-Amz-Signature=4f2a9c01bb HTTP/1.1", "secret_param", "4f2a9c01bb"),
    ("GET /wx?appid=wx8a1b2c3d4e5f6a7b&q=1 HTTP/1.1", "secret_param", "wx8a1b2c3d4e5f6a7b"),
    ('{"secretAccessKey": "Zz9/Kq2+Lm9Pw4Rt7Vb3Nc"}', "secret_param", "Zz9/Kq2+Lm9Pw4Rt7Vb3Nc"),
    ("refreshToken=rt_01HXYZABCDEF", "secret_param", "rt_01HXYZABCDEF"),
    ("client-secret: cs-7d1f0a9b2c", "secret_param", "cs-7d1f0a9b2c"),
    ("PGPASSWORD=Secr3tPg psql -h db", "secret_param", "Secr3tPg"),
    ("mysql -h db -u root -pS3cretPw shop", "cli_password", "S3cretPw"),
    ("started: app --db-host x --password hunter22 --port 1", "cli_password", "hunter22"),
    ("exec: tool --api-key=k_91f0a8c7 run", "cli_password", "k_91f0a8c7"),
    ("curl -u admin:Adm1nPass https://x.example/", "cli_password", "Adm1nPass"),
    ("curl --user admin:Adm1nPass https://x.example/", "cli_password", "Adm1nPass"),
    ("curl --USER\tadmin:Adm1nPass https://x.example/", "cli_password", "Adm1nPass"),
    ("login --client-secret S3cr3tV4lue", "cli_password", "S3cr3tV4lue"),
    ("sync --auth_token=tok_81fe0c run", "cli_password", "tok_81fe0c"),
    ("sshpass -p 'Pa55word' ssh host", "cli_password", "Pa55word"),
    ("license key=Q7vX2mK9pL4sT8wR1zN6", "random_param", "Q7vX2mK9pL4sT8wR1zN6"),
    ("Set-Cookie: session=9f8a7b6c5d4e; Path=/; HttpOnly", "cookie_header", "9f8a7b6c5d4e"),
    ("calling upstream with bearer 8c3f9e2a7b1d4f60aa12", "bearer", "8c3f9e2a7b1d4f60aa12"),
    ("upstream sent Basic YWxhZGRpbjpvcGVuc2VzYW1l back", "basic", "YWxhZGRpbjpvcGVuc2VzYW1l"),
    ("session " + JWT + " expired", "jwt", "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    ("using AKIAIOSFODNN7EXAMPLE in us-east-1", "aws_access_key", "AKIAIOSFODNN7EXAMPLE"),
    ("sts gave ASIAY34FZKBOKMUTVV7A", "aws_access_key", "ASIAY34FZKBOKMUTVV7A"),
    (
        "AWS secret access key is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_key",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "maps key AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
        "gcp_api_key",
        "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
    ),
    (
        "oauth ya29.a0AfH6SMC9xK2mZq3Tn8vYbL4wPq7rS1uV",
        "google_oauth_token",
        "a0AfH6SMC9xK2mZq3Tn8v",
    ),
    (
        "push with ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_token",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    ),
    ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "github_token", "16C7e42F292c6912E7710c"),
    (
        "pat github_pat_11ABCDEFG0123456789abc_0123456789abcdefghijABCDEFGHIJ0123456789abcdefghij",
        "github_token",
        "github_pat_11ABCDEFG0123456789abc",
    ),
    ("glpat-xYz1234567890abcdefGH set", "gitlab_token", "glpat-xYz1234567890abcdefGH"),
    (
        "slack xoxb-2400000000-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "slack_token",
        "xoxb-2400000000",
    ),
    (
        "hook https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX",
        "slack_webhook",
        "XXXXXXXXXXXXXXXXXXXXXXXX",
    ),
    ("charge via sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe_key", "4eC39HqLyjWDarjtT1zdp7dc"),
    (
        "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",
        "sendgrid_key",
        "TwL2iGABf9DHoTf",
    ),
    (
        "//registry/:_authToken npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
        "npm_token",
        "npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
    ),
    ("llm client sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "ai_api_key", "Ab3dEf6hIj9kLm2nOp5q"),
    ("welcome mail sent to jane.doe+news@example.co.uk ok", "email", "jane.doe+news@example.co.uk"),
    (
        '"GET /products/38820/reviews?email=emma.45%40gmail.com HTTP/2.0" 200',
        "email",
        "emma.45%40gmail.com",
    ),
    ("card 4111 1111 1111 1111 exp 12/27", "card", "4111 1111 1111 1111"),
    ("card=5500-0055-5555-5559;", "card", "5500-0055-5555-5559"),
    ("paid with 4111111111111111.", "card", "4111111111111111"),
    ("amex 378282246310005", "card", "378282246310005"),
    ("Order 1234 4111 1111 1111 1111 shipped", "card", "4111 1111 1111"),
    ("refund to DE89 3704 0044 0532 0130 00 today", "iban", "3704 0044 0532"),
    ("iban=GB82WEST12345698765432", "iban", "GB82WEST12345698765432"),
]

BENIGN = [
    "GET /search?key=1&q=union HTTP/1.1",
    "cache_key: user:123 hit",
    "token_type: Bearer; max_tokens=512",
    "secretary=alice and keynote=2",
    'ETag: "33a64df551425fcc55e4d42a148795d9f25f89d4"',
    "mkdir -p /tmp/x && gcc -pipe -pthread -o a a.c",
    "docker login --password-stdin < file",
    "code=200 key=name",
    "request_id=3fa85f64-5717-4562-b3f6-2c963f66afa6 order_id=100234",
    "Set-Cookie: theme; Path=/; Max-Age=3600",
    "order 4111111111111112 shipped",  # 16 digits failing Luhn
    "order 1234567812345678 shipped",
    "request 123e4567-e89b-12d3-a456-426614174000 done",
    "trace 12345678-1234-1234-1234-123456789012",
    "at 2024-01-15T10:00:00.123Z epoch 1705312800123 ns 1705312800123456789",
    "nginx/1.25.3 python 3.11.7 libssl 3.0.2 build 20240115103000",
    "client 192.168.1.10 via 10.0.0.1, 2001:db8::1 and 8.8.8.8",
    "Failed password for invalid user admin from 203.0.113.5 port 22 ssh2",
    "Accepted publickey for deploy from 10.0.0.5 port 51234 ssh2",
    "Basic authentication failed for realm api",
    "bearer token missing from request",
    "max_tokens=100 tokens=5 bypass=true password_reset_requested=true",
    "GET /api/v1/templates/123?page=2&sort=name HTTP/1.1",
    "user usr_123 downloaded template tpl_456 in 120ms",
    "phone +1 555-123-4567 ext 89",
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "price 1234.5678901234567 EUR",
    "git rev 9fceb02d0ae598e95dc970b74767f19372d61af8 merged",
    "@scope/pkg@1.2.3 installed; ssh root@10.0.0.1",
    "ISBN 978-3-16-148410-0 and ref AB12CDEF34567890",
]


def build(**options) -> RedactStage:
    return RedactStage(RedactConfig(**options), BuildContext())


@pytest.mark.parametrize(("text", "rule", "secret"), SECRETS)
def test_value_rule_masks_each_secret_kind(text: str, rule: str, secret: str) -> None:
    out = redact_text(text)
    assert secret not in out
    assert f"[REDACTED:{rule}]" in out


@pytest.mark.parametrize(("text", "rule", "secret"), SECRETS)
def test_the_stage_masks_each_secret_kind_in_a_message(text: str, rule: str, secret: str) -> None:
    """The same through the stage: its batch scan must pick the event for the rule to run."""
    event = {"message": text}
    build()([event])
    assert secret not in event["message"]
    assert f"[REDACTED:{rule}]" in event["message"]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_look_alikes_are_left_alone(text: str) -> None:
    assert redact_text(text) == text
    event = {"message": text}
    build()([event])
    assert event == {"message": text}


def test_cookie_values_masked_attributes_kept() -> None:
    out = redact_text("Set-Cookie: sid=abc123; Path=/; Domain=x.io; HttpOnly; Secure; SameSite=Lax")
    assert out == (
        "Set-Cookie: sid=[REDACTED:cookie_header]; Path=/; Domain=x.io; HttpOnly; Secure; "
        "SameSite=Lax"
    )
    event = {"http": {"response": {"headers": {"set-cookie": "id=9; Path=/; HttpOnly"}}}}
    build()([event])
    assert event["http"]["response"]["headers"]["set-cookie"] == (
        "id=[REDACTED:field]; Path=/; HttpOnly"
    )


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("secretKey", True),
        ("secretAccessKey", True),
        ("refreshToken", True),
        ("X-Api-Key", True),
        ("spring.datasource.password", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("client-secret", True),
        ("x_amz_signature", True),
        ("tokenType", False),
        ("max_tokens", False),
        ("secretary", False),
        ("password_policy", False),
        ("primary_key", False),
        ("p" * 300 + "password", False),
    ],
)
def test_field_names_in_any_key_style(key: str, secret: bool) -> None:
    event = {"a": {key: "v4lue-1"}}
    build()([event])
    assert (event["a"][key] == "[REDACTED:field]") is secret


def test_weak_names_only_with_random_values() -> None:
    event = {"license_key": "Q7vX2mK9pL4sT8wR1zN6", "cache_key": "user:123", "code": 200}
    build()([event])
    assert event == {"license_key": "[REDACTED:field]", "cache_key": "user:123", "code": 200}


def test_user_patterns_from_the_pipeline_file() -> None:
    stage = build(patterns={"employee_id": r"EMP-(?P<v>\d{6})"}, rules={"employee_id": "mask"})
    event = {"message": "badge EMP-123456 used", "n": "EMP-12"}
    stage([event])
    assert event == {"message": "badge EMP-[REDACTED:employee_id] used", "n": "EMP-12"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"patterns": {"x": "(a)\\1"}}, "not RE2 syntax"),
        ({"patterns": {"email": "x"}}, "taken"),
        ({"rules": {"nope": "mask"}}, "unknown rule"),
    ],
)
def test_bad_user_patterns_are_refused(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RedactConfig(**options)


@pytest.mark.parametrize("rule", RULE_IDS)
def test_each_rule_is_linear_on_64kb_hostile_input(rule: str) -> None:
    hostiles = [
        "key=1&q=" + "." * 65_536,
        "a" * 65_536,
        "password" * 8_192,
        "-----BEGIN " * 6_000,
        "x@" * 32_768,
        "eyJ" * 21_000 + ".",
        "mysql " * 10_000,
        "1 " * 32_768,
        "Cookie: " + "a=b;" * 16_000,
    ]
    one = TextRedactor({rule: "mask"})
    for text in hostiles:
        start = time.process_time()
        one.redact(text)
        assert time.process_time() - start < 0.05, (rule, text[:20])


def test_every_rule_has_a_positive_case() -> None:
    assert set(RULE_IDS) <= {rule for _, rule, _ in SECRETS}


def test_context_is_kept_around_the_secret() -> None:
    assert (
        redact_text("password=hunter2&next=/home") == "password=[REDACTED:secret_param]&next=/home"
    )
    assert (
        redact_text("https://u:pw1234@h.example/x")
        == "https://u:[REDACTED:url_password]@h.example/x"
    )
    assert (
        redact_text("Authorization: Bearer abc.def-123")
        == "Authorization: Bearer [REDACTED:auth_header]"
    )


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert card_ok("4012 8888 8888 1881") and not card_ok("1234567812345670")  # issuer unknown
    assert card_ok("6011111111111117") and not card_ok("9111111111111111")
    assert iban_ok("DE89370400440532013000") and not iban_ok("DE89370400440532013001")


def test_redacts_every_string_at_any_depth_but_metadata() -> None:
    event = {
        "@metadata": {"kafka": {"key": "user=bob password=x1", "offset": 7}},
        "message": "reset link sent to bob@example.com",
        "event": {"original": '{"msg":"login","password":"hunter2","card":"4111111111111111"}'},
        "url": {"original": "https://shop.example/pay?card=4111-1111-1111-1111&token=abc123def"},
        "labels": [{"note": "call me at bob@example.com"}, ["nested jane@example.org"]],
        "tags": ["contact ops@example.net"],
    }
    build()([event])
    flat = repr(event)
    for secret in ("bob@example.com", "hunter2", "4111111111111111", "4111-1111", "abc123def",
                   "jane@example.org", "ops@example.net"):  # fmt: skip
        assert secret not in flat.replace(repr(event["@metadata"]), "")
    assert event["@metadata"]["kafka"]["key"] == "user=bob password=x1"
    assert event["labels"][1] == ["nested [REDACTED:email]"]


def test_field_names_case_insensitive_at_any_depth() -> None:
    event = {
        "user": {"name": "bob", "Password": "x", "profile": {"API-KEY": "k", "csrfToken": "t"}},
        "http": {"request": {"headers": {"Authorization": "Basic abc", "Cookie": "sid=1"}}},
        "db_password": "p",
        "items": [{"client_secret": {"nested": "dict"}}],
        "max_tokens": 5,
        "password_changed_at": "2024-01-01",
        "tokenizer": "bpe",
    }
    build()([event])
    assert event["user"] == {
        "name": "bob",
        "Password": "[REDACTED:field]",
        "profile": {"API-KEY": "[REDACTED:field]", "csrfToken": "[REDACTED:field]"},
    }
    assert event["http"]["request"]["headers"] == {
        "Authorization": "[REDACTED:field]",
        "Cookie": "sid=[REDACTED:field]",
    }
    assert event["db_password"] == "[REDACTED:field]"
    assert event["items"] == [{"client_secret": "[REDACTED:field]"}]
    assert event["max_tokens"] == 5
    assert event["password_changed_at"] == "2024-01-01"
    assert event["tokenizer"] == "bpe"


def test_configured_field_names() -> None:
    event = {"pin": "1234", "password": "x", "note": "n"}
    build(extra_fields=("pin",))([event])
    assert event == {"pin": "[REDACTED:field]", "password": "[REDACTED:field]", "note": "n"}
    event = {"pin": "1234", "password": "x"}
    build(fields=("PIN",))([event])
    assert event == {"pin": "[REDACTED:field]", "password": "x"}


def test_remove_mode() -> None:
    event = {"password": "x", "user": {"token": "t", "id": 1}, "message": "to a@b.io now"}
    build(default_mode="remove")([event])
    assert event == {"user": {"id": 1}, "message": "to  now"}


def test_hash_mode_is_keyed_and_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGPIPE_REDACT_KEY", "k1")
    stage = build(rules={"email": "hash", "field": "hash"})
    events = [{"message": "from bob@example.com"}, {"message": "again bob@example.com", "pwd": 12}]
    stage(events)
    token = events[0]["message"].removeprefix("from ")
    assert re.fullmatch(r"hmac:[0-9a-f]{16}", token)
    assert events[1]["message"] == f"again {token}"
    assert re.fullmatch(r"hmac:[0-9a-f]{16}", events[1]["pwd"])
    monkeypatch.setenv("LOGPIPE_REDACT_KEY", "k2")
    other = [{"message": "from bob@example.com"}]
    build(rules={"email": "hash"})(other)
    assert other[0]["message"] != events[0]["message"]


def test_hash_without_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_KEY", raising=False)
    with pytest.raises(ConfigError, match="MY_KEY"):
        build(rules={"card": "hash"}, hash_key_env="MY_KEY")
    monkeypatch.delenv("LOGPIPE_REDACT_KEY", raising=False)
    with pytest.raises(ConfigError, match="LOGPIPE_REDACT_KEY"):
        build(default_mode="hash")
    build(rules={"card": "mask"})  # no hash rule, no key needed


def test_rules_can_be_turned_off_and_unknown_ids_are_refused() -> None:
    event = {"message": "mail bob@example.com card 4111111111111111", "password": "p"}
    build(rules={"email": "off", "field": "off"})([event])
    assert event == {"message": "mail bob@example.com card [REDACTED:card]", "password": "p"}
    with pytest.raises(ValidationError, match="nosuchrule"):
        RedactConfig(rules={"nosuchrule": "mask"})
    with pytest.raises(ValidationError):
        RedactConfig(unknown_option=1)


def test_skip_fields() -> None:
    event = {"a": {"b": "x@y.io", "c": "x@y.io"}, "l": [{"b": "x@y.io"}]}
    build(skip_fields=("a.b", "l.b"))([event])
    assert event == {"a": {"b": "x@y.io", "c": "[REDACTED:email]"}, "l": [{"b": "x@y.io"}]}


def test_card_numbers_as_json_numbers() -> None:
    event = {"pay": {"number": 4111111111111111, "order": 4111111111111112, "n": 7}}
    build()([event])
    assert event == {"pay": {"number": "[REDACTED:card]", "order": 4111111111111112, "n": 7}}


def test_own_output_is_not_redacted_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    once = redact_text("token=" + JWT)
    assert redact_text(once) == once
    monkeypatch.setenv("LOGPIPE_REDACT_KEY", "k")
    stage = build(default_mode="hash")
    event = {"message": "password=hunter2"}
    stage([event])
    first = event["message"]
    stage([event])
    assert event["message"] == first


def test_failure_keeps_no_content(monkeypatch: pytest.MonkeyPatch) -> None:
    stage = build()

    def boom(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(stage._text, "candidates", boom)
    event = {"@metadata": {"kafka": {}}, "@timestamp": "2024-01-15T10:00:00Z", "message": "pw=1"}
    assert stage([event]) == [event]
    assert event["message"] == "[REDACTED:redact_failure]" and event["tags"] == [FAILURE_TAG]
    assert set(event) == {"@metadata", "@timestamp", "message", "tags"}


def test_text_redactor_subset() -> None:
    only_email = TextRedactor({"email": "remove"})
    assert only_email.redact("a@b.io 4111111111111111") == " 4111111111111111"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
SAMPLE_SECRETS = [s for _, _, s in SECRETS if len(s) > 12 and "\n" not in s]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_random_events_never_raise(event: dict) -> None:
    original = copy.deepcopy(event)
    assert build()([event]) == [event]
    assert FAILURE_TAG not in repr(event.get("tags"))
    if "@metadata" in original:
        assert event["@metadata"] == original["@metadata"]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.integers(0, 200))
def test_planted_secrets_are_always_found(before: str, after: str, pick: int) -> None:
    text, _, secret = SECRETS[pick % len(SECRETS)]
    out = redact_text(f"{before}\n{text}\n{after}")
    assert secret not in out or secret in before or secret in after


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("0123456789 -@:=/.")))
def test_random_text_never_raises(text: str) -> None:
    assert isinstance(redact_text(text), str)


def test_lone_surrogates_do_not_break_the_scan() -> None:
    assert redact_text("\ud800 mail a@b.io") == "\ud800 mail [REDACTED:email]"


@pytest.mark.parametrize(
    "text",
    [
        "1111 " * 20000,
        "x-" * 50000 + "pw=1",
        "x@" + "a." * 50000 + "1",
        "DE89 " * 20000,
        'token="' * 20000,
        "aws secret " * 10000,
        "Basic " + "A" * 100000,
        "-----BEGIN PRIVATE KEY-----" * 3000,
    ],
    ids=lambda t: t[:12],
)
def test_adversarial_input_stays_linear(text: str) -> None:
    start = time.process_time()
    redact_text(text)
    assert time.process_time() - start < 2.0


@pytest.mark.parametrize(
    "hostile",
    ["key=1&q=" + "." * 65_536, "password=" * 7_000, "a:b@" * 16_000, "Cookie: " + "a=b;" * 16_000],
)
def test_64kb_hostile_event_stays_under_50ms(hostile: str) -> None:
    stage = build()
    event = {"message": hostile}
    start = time.process_time()
    stage([event])
    assert time.process_time() - start < 0.05
    assert FAILURE_TAG not in event.get("tags", [])


def test_name_cache_never_holds_long_names() -> None:
    stage = build()
    for n in range(50):
        stage([{"x" * 10_000 + str(n): "v", "password" + "y" * 200 + str(n): "v"}])
    assert all(len(key) <= 128 for key in stage._name_cache)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("unit user@1000.service started", True),
        ("postgresql@16-main.service: Succeeded.", True),
        ("getty@tty1.service", True),
        ("mail to bob@example.com failed", False),
        ("alice@service.example.org", False),
    ],
)
def test_systemd_template_units_are_no_email_addresses(text, kept):
    assert (text in redact_text(text)) is kept


def test_thousands_of_look_alikes_mask_the_rest_of_the_value_and_stay_fast():
    from logpipe.redaction_text import MAX_CANDIDATES

    text = "head " + "token=1&key=2&" * (MAX_CANDIDATES + 500) + "password=hunter2"
    started = time.process_time()
    out = redact_text(text)
    assert time.process_time() - started < 0.2
    assert out.startswith("head token=[REDACTED:secret_param]&key=2&")  # the first ones one by one
    assert out.endswith("]") and "hunter2" not in out and "token=1" not in out  # the rest masked


def test_one_candidate_budget_serves_all_of_an_events_strings():
    """Eight fields of look-alikes check EVENT_CANDIDATES in all, not MAX_CANDIDATES per rule in
    each: once the first fields have spent them, a later field is masked from its first candidate
    on."""
    from logpipe.redaction_text import EVENT_CANDIDATES, MAX_CANDIDATES

    hostile = "token=1&key=2&" * (MAX_CANDIDATES + 10)
    event = {f"f{n}": hostile for n in range(8)}
    event["later"] = "user=bob token=abc123 ok"
    checks = 0
    stage = build()
    for sub in list(stage._text._subs):  # count the candidates each rule's loop looks at
        index = stage._text._subs.index(sub)

        def counted(text, budget, sub=sub):
            nonlocal checks
            before = budget.left
            out = sub(text, budget)
            checks += before - budget.left
            return out

        stage._text._subs[index] = counted
    [out] = stage([event])
    assert checks == EVENT_CANDIDATES
    assert "abc123" not in out["later"] and "[REDACTED:" in out["later"]
    assert all("token=1" not in out[f"f{n}"] for n in range(8))


_KEYS = [
    "password", "dbPassword", "DB_PASSWORD", "x-api-key", "apiKey", "session_id", "sessionId",
    "mytoken", "pgpassword", "pässword", "pass\nword", 'a"password', "pass\\word", "key", "nonce",
    "license-key", "code", "user_id", "message", "\u017fecret", "toKen", "cardNumber", "ssn",
]  # fmt: skip
_EDGES = ["", " ", "\n", "\t", '"', "'", "\\", "\x01", "\x10", "\x0b", "\xa0", "\u017f", "\u212a",
          "\u0131", "\u0130", "\u0663", "=", ":", "\u00e9", "\u2028"]  # fmt: skip
_PIECES = [t for t, _, _ in SECRETS] + BENIGN + [
    "ssn=123-45-6789", "PWD=/home/alice", "sudo -u bob:pw", "card 4111 1111 1111 1111",
    "DE89 3704 0044 0532 0130 00", "DE٨٩370400440532013000", "mysql -pS3cret db", "AWS secret key",
    "k3y=AbCdEf0123456789XyZw", "Authorization:\tBearer abcdefgh12345678",
    "ba\u017fic dXNlcjpwYXNzd29yZA==",
    "aw\u017f secret key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
]  # fmt: skip
_STRINGS = st.builds(
    lambda a, piece, b: a + piece + b,
    st.sampled_from(_EDGES),
    st.sampled_from(_PIECES),
    st.sampled_from(_EDGES),
)
_LEAVES = _STRINGS | st.sampled_from(
    [4111111111111111, -5500005555555559, 1795694400000, None, 1.5]
)
_TREES = st.recursive(
    _LEAVES,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(_KEYS), _TREES, max_size=4), max_size=8))
def test_the_batch_scan_walks_every_event_the_walk_would_change(events: list[dict]) -> None:
    fast, slow = build(), build()
    slow._prefilter = None
    assert fast._prefilter is not None
    assert fast(copy.deepcopy(events)) == slow(copy.deepcopy(events))


@pytest.mark.parametrize(("text", "rule", "secret"), SECRETS)
@pytest.mark.parametrize("edge", ["\n", '"', "\x10", "\\"])
def test_each_secret_is_masked_through_the_batch_scan(text, rule, secret, edge) -> None:
    events = [{"message": "clean"}, {"note": {"list": [f"{edge}{text}{edge}"]}}]
    out = build()(events)
    assert secret not in repr(out)


def test_every_piece_at_every_edge_takes_the_walk_when_it_would_change() -> None:
    events = [
        {"note": f"{a}{piece}{b}", key: [f"{b}{piece}"]}
        for piece in _PIECES
        for a, b, key in zip(_EDGES, _EDGES[1:] + _EDGES[:1], _KEYS * 2, strict=False)
    ]
    events += [{f"{a}{key}{b}": "AbCdEf0123456789XyZw", "n": 4111111111111111} for key in _KEYS
               for a, b in zip(_EDGES, _EDGES[3:], strict=False)]  # fmt: skip
    fast, slow = build(), build()
    slow._prefilter = None
    assert fast(copy.deepcopy(events)) == slow(copy.deepcopy(events))


@pytest.mark.parametrize(("text", "rule", "secret"), SECRETS)
def test_each_rule_hint_finds_its_own_secrets_in_json(text: str, rule: str, secret: str) -> None:
    import hyperscan
    import orjson

    from logpipe.batch_scan import BatchScan
    from logpipe.hyperscan_db import block_database

    (hints,) = [r.hints for r in VALUE_RULES if r.id == rule]
    scan = BatchScan(hyperscan, block_database(hyperscan, [(h, 0) for h in hints], "test"))
    for edge in _EDGES:
        assert scan.matching(orjson.dumps({"k": [f"{edge}{text}{edge}"]})) == [0], repr(edge)


def test_distinct_tails_drop_names_another_name_covers() -> None:
    from logpipe.keynames import distinct_tails

    names = ("token", "access_token", "accesstoken", "session_id", "api_key", "x")
    assert distinct_tails(names) == [("api", "key"), ("session", "id"), ("token",), ("x",)]


def test_a_rule_another_string_triggers_still_runs_on_every_string_it_can_change() -> None:
    event = {"a": "password=hunter2", "b": ["ssn=123456789", "clean"], "c": "cvv: 123"}
    fast, slow = build(), build()
    slow._prefilter = None
    out = fast([copy.deepcopy(event)])
    assert out == slow([copy.deepcopy(event)])
    assert "123456789" not in repr(out) and "hunter2" not in repr(out)


@pytest.mark.parametrize(
    "rules",
    [{}, {"card": "off"}, {"iban": "off"}, {"card": "off", "iban": "off"}, {"email": "off"}],
)
def test_the_scan_without_a_literal_database_or_part_of_it_walks_what_it_must(rules) -> None:
    events = [
        {"a": "4111 1111 1111 1111", "n": 4111111111111111},
        {"b": ["DE89 3704 0044 0532 0130 00"]},
        {"c": "person@example.com", "d": 1795694400000},
        {"e": "clean"},
    ]
    fast, slow = build(rules=rules), build(rules=rules)
    slow._prefilter = None
    assert (fast._prefilter._unanchored is None) == ("card" in rules and "iban" in rules)
    assert fast(copy.deepcopy(events)) == slow(copy.deepcopy(events))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_STRINGS | st.just("\ud800 lone"), max_size=4), max_size=6))
def test_strings_of_many_events_from_one_scan_are_each_events_own(groups) -> None:
    prefilter = build()._prefilter
    alone = [prefilter.strings([values])[0] for values in groups]
    assert [list(found) for found in prefilter.strings(groups)] == [list(x) for x in alone]
    for values, found in zip(groups, alone, strict=True):
        if any("\ud800" in value for value in values):
            assert found == range(len(values))


def test_a_value_rule_raising_on_one_event_fails_it_closed_and_the_batch_goes_on(monkeypatch):
    stage = build()
    apply = stage._text.apply

    def raising(text: str, rules: list[int], budget) -> str:
        if "boom" in text:
            raise RuntimeError("boom")
        return apply(text, rules, budget)

    monkeypatch.setattr(stage._text, "apply", raising)
    events = [{"m": "password=hunter2"}, {"m": "password=boom"}, {"m": "token=s3cr3tvalue"}]
    out = stage(events)
    assert out[0] == {"m": "password=[REDACTED:secret_param]"}
    assert out[1]["message"] == "[REDACTED:redact_failure]" and "m" not in out[1]
    assert out[2] == {"m": "token=[REDACTED:secret_param]"}


def test_when_the_strings_scan_fails_every_string_goes_through_the_rules(monkeypatch):
    stage = build()

    def fail(groups: list[list[str]]) -> list[list[int]]:
        raise MemoryError

    monkeypatch.setattr(stage._prefilter, "strings", fail)
    out = stage([{"a": "clean", "b": ["x", "login password=hunter2"]}])
    assert out == [{"a": "clean", "b": ["x", "login password=[REDACTED:secret_param]"]}]


_KV_PLAIN = (  # `_KV` as first written, with `re.IGNORECASE` on the whole: the reference
    r"(?<![\w.:=-])(?P<k>[A-Za-z_][\w.-]{0,127})[\"']?[ \t]*[:=][ \t]*"
    r"(?:\"(?!\[REDACTED|hmac:[0-9a-f]{16})(?P<v>[^\"\r\n]+)\""
    r"|'(?!\[REDACTED|hmac:[0-9a-f]{16})(?P<v2>[^'\r\n]+)'"
    r"|(?:(?:bearer|basic|token)[ \t]+)?(?!\[REDACTED|hmac:[0-9a-f]{16})"
    r"(?P<v3>[^\s&;,\"'<>()\[\]{}]+))"
)
_KV_PIECES = [*"aZk_.-:= \t\"'\n\r&;,9[]{}", "\u017f", "\u212a", "\u0131", "\u0130", "\u0663",
              "token ", "BaSiC\t", "bearer ", "[REDACTED", "[redacted", "hmac:0123456789abcdef",
              "HMAC:0123456789ABCDEF", "password", "x" * 127]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_KV_PIECES), max_size=24).map("".join))
def test_the_key_value_pattern_matches_as_its_plain_form_does(text: str) -> None:
    from logpipe.secrets_patterns import _KV

    fast, plain = re.compile(_KV), re.compile(_KV_PLAIN, re.IGNORECASE)
    for pos in range(len(text) + 1):
        a, b = fast.search(text, pos), plain.search(text, pos)
        assert (a and a.regs) == (b and b.regs), (text, pos)


@pytest.mark.parametrize("key", ["key", "api-key-", "Key\\", "NONCE__", "seed\u00e9", "code\n"])
@pytest.mark.parametrize("value", ["AbCdEf0123456789XyZw", "short", 1234])
def test_a_weak_name_with_or_without_characters_after_it_takes_the_walk_it_needs(key, value):
    events = [{"a": {key: value}}, {"b": "clean"}]
    fast, slow = build(), build()
    slow._prefilter = None
    out = fast(copy.deepcopy(events))
    assert out == slow(copy.deepcopy(events))
    assert "AbCdEf0123456789XyZw" not in repr(out)


@pytest.mark.parametrize("rule", [rule.id for rule in VALUE_RULES])
def test_every_rule_hint_finds_what_its_rule_would_change(rule: str) -> None:
    """Texts made from the rule's own pattern: wherever the rule changes one, its hints match
    the text's JSON, so the batch scan walks it (`--user name:password` once slipped by)."""
    import re

    import hyperscan
    import orjson
    from hypothesis import HealthCheck

    from logpipe.batch_scan import BatchScan
    from logpipe.hyperscan_db import block_database
    from logpipe.redaction_text import TextRedactor

    (found,) = [r for r in VALUE_RULES if r.id == rule]
    scan = BatchScan(hyperscan, block_database(hyperscan, [(h, 0) for h in found.hints], "test"))
    redactor = TextRedactor({rule: "mask"})
    pattern = re.compile(found.pattern.pattern, found.pattern.flags)
    edges = st.sampled_from(["", " ", "x ", "a=", "\n", '"'])
    missed = []

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.tuples(edges, st.from_regex(pattern), edges))
    def check(parts: tuple[str, str, str]) -> None:
        text = "".join(parts)
        if redactor.apply(text, [0]) != text and scan.matching(orjson.dumps({"k": text})) != [0]:
            missed.append(text)

    check()
    assert not missed, missed[:3]


_RANDOM = "AbCdEf0123456789XyZw"


@pytest.mark.parametrize("name", ["code", "api-key", "Nonce", "seed\u00e9"])
@pytest.mark.parametrize(
    "value",
    [_RANDOM, f'"{_RANDOM}"', f"'{_RANDOM}'", f"Bearer {_RANDOM}", f"\t {_RANDOM}",
     "AbCd\\ef01\u00e9\u00e923456789", 'AbCd"ef0123456789XyZw', "Ab\x01Cd" + _RANDOM,
     _RANDOM[:16], "AbCdEf0123456\\78", f"token {_RANDOM}"],
)  # fmt: skip
@pytest.mark.parametrize("gap", ["=", ": ", '"=', "\t:\t"])
def test_a_weak_name_before_a_random_looking_value_in_text_takes_the_walk(name, value, gap):
    events = [{"message": f"x {name}{gap}{value} y"}, {"b": "clean"}]
    fast, slow = build(), build()
    slow._prefilter = None
    assert fast(copy.deepcopy(events)) == slow(copy.deepcopy(events))


def test_a_weak_name_before_a_short_value_in_text_is_not_walked() -> None:
    panic = "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4553ab]"
    assert build()._prefilter([{"message": panic}], False) == []


_UNITS = ["user@1000.service", "getty@tty1.service", "postgresql@16-main.service",
          "systemd-fsck@dev-sda1.SERVICE", "container-getty@1.service",
          "a@b.c.automount"]  # fmt: skip


def test_systemd_unit_instances_do_not_send_their_event_through_the_walk() -> None:
    events = [{"message": f"Started {unit}.", "systemd": {"unit": unit}} for unit in _UNITS]
    events.append({"cgroup": "/user.slice/user-1000.slice/user@1000.service/session.slice/x"})
    events.append({"message": "a@b.service." + "x" * 25})  # no top-level domain is that long
    assert build()._prefilter(events, False) == []


_SUDO_JOURNALCTL = (
    "alice : TTY=pts/1 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/journalctl -u app"
)


def test_a_command_line_user_without_a_password_does_not_send_its_event_through_the_walk():
    events = [{"message": _SUDO_JOURNALCTL}, {"message": "systemctl status -u nginx --user x"}]
    assert build()._prefilter(events, False) == []


@pytest.mark.parametrize(
    "command",
    ["curl -u bob:S3cret https://x", "curl --user 'bob:S3cret' x", 'curl -U\t"bob:S3cret"',
     "curl -u b\u00e9b:S3cret x", "wget --user \"bob:S3cret\""],
)  # fmt: skip
def test_a_command_line_user_with_a_password_is_walked_and_masked(command: str) -> None:
    events = [{"message": _SUDO_JOURNALCTL}, {"message": command}]
    stage = build()
    assert stage._prefilter(copy.deepcopy(events), False) == [1]
    assert "S3cret" not in repr(stage(events))


def _with_check_digit(digits: str) -> str:
    """`digits` and the Luhn check digit that makes them pass."""
    return next(digits + d for d in "0123456789" if luhn_ok(digits + d))


def _luhn_failing(digits: str) -> str:
    return next(digits + d for d in "0123456789" if not luhn_ok(digits + d))


_FAILING_SHAPES = (("4539", 16), ("5290", 16), ("6011", 16), ("37", 15), ("4", 13), ("4", 19))
_FAILING_CARDS = [_luhn_failing(p + "0" * (n - len(p) - 1)) for p, n in _FAILING_SHAPES]


@pytest.mark.parametrize("number", _FAILING_CARDS)
@pytest.mark.parametrize("shape", ["{}", "{0} {1} {2} {3}", "{0}-{1}-{2}-{3}"])
def test_a_number_that_fails_the_luhn_check_does_not_send_its_event_through_the_walk(
    number: str, shape: str
) -> None:
    groups = [number[i : i + 4] for i in range(0, 12, 4)] + [number[12:]]
    text = f"Charging card {shape.format(*groups) if shape != '{}' else number} for order 6165910"
    events = [{"message": text}, {"order": int(number)}]
    assert build()._prefilter(events, False) == []


@pytest.mark.parametrize("card", ["6011000000000004", "4111 1111 1111 1111", "378282246310005"])
def test_a_card_after_any_escaped_character_is_walked_and_masked(card: str) -> None:
    """orjson writes a control character as `\\u00XX`: its hex digits then run into the card's."""
    before = [chr(n) for n in range(0x20)] + ['"', "\\", "-", " "]
    events = [{"message": f"{edge}{card}"} for edge in before]
    out = build()(events)
    assert card not in repr(out) and all("[REDACTED:card]" in e["message"] for e in out)


_CARD_DIGITS = st.text("0123456789", min_size=1, max_size=8)
_CARD_PIECES = st.one_of(
    st.sampled_from([" ", "-", "  ", ".", "x", "\n", "\x19", "\\u", "\"", "\u0663", "\u00e9"]),
    _CARD_DIGITS,
    st.builds(_with_check_digit, st.sampled_from(["4", "51", "37", "6011", "2221", "36", "35"])
              .flatmap(lambda p: st.text("0123456789", min_size=12 - len(p), max_size=18 - len(p))
                       .map(lambda rest: p + rest))),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_CARD_PIECES, max_size=10).map("".join))
def test_the_batch_scan_walks_every_event_with_a_card_number_the_walk_would_mask(text) -> None:
    """Valid card numbers cut into groups, beside other digits, escapes and separators: the
    Luhn screen keeps every event the walk would change (`card_in_json`)."""
    events = [{"message": text}, {"note": [text, "x"]}]
    if text.isdigit() and len(text) < 19:
        events.append({"n": int(text)})
    fast, slow = build(), build()
    slow._prefilter = None
    assert fast(copy.deepcopy(events)) == slow(copy.deepcopy(events))


_EMAIL_PIECES = ["user", "bob", "@", "@", "1000", "example", ".", ".", "service", "SERVICE",
                 "com", "io", "-", "2", "x" * 25, "\n", '"', "\\", "\u00e9", "_", "%", " ",
                 "/"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_EMAIL_PIECES), max_size=14).map("".join))
def test_the_batch_scan_walks_every_event_with_an_address_the_walk_would_mask(text) -> None:
    events = [{"message": text}, {"note": [text, "x"]}]
    fast, slow = build(), build()
    slow._prefilter = None
    assert fast(copy.deepcopy(events)) == slow(copy.deepcopy(events))


@pytest.mark.parametrize(
    "address", ["bob@example.com", "ops@service.example.io", "a@b.service.com", "Bob@EXAMPLE.ORG"]
)
def test_an_address_beside_a_unit_instance_is_still_masked(address: str) -> None:
    event = {"message": f"user@1000.service mailed {address}"}
    build()([event])
    assert address not in event["message"] and "user@1000.service" in event["message"]


@pytest.mark.parametrize("name", TEXT_KEY_NAMES)
def test_every_secret_name_is_redacted_as_a_key_in_text(name: str) -> None:
    """Each name the `k=v` rule knows hides its value in a message and a query string on its
    own, in any case, with no other secret's name beside it to trigger the rule."""
    value = "Zq7vX2mK9pL4"
    for text in (
        f"charge failed {name}={value} retry",
        f"GET /pay?{name}={value}&x=1",
        f"{name.upper()}: {value}",
        f"app.{name} = {value}",
    ):
        event = {"message": text}
        build()([event])
        assert value not in event["message"], text
        assert "[REDACTED:" in event["message"], text


@pytest.mark.parametrize("name", WEAK_NAMES)
def test_every_weak_name_is_redacted_in_text_before_a_random_value(name: str) -> None:
    value = "Zq7vX2mK9pL4sT8wR1zN6"
    event = {"message": f"sent {name}={value} to the client"}
    build()([event])
    assert value not in event["message"]

"""The worker's own log lines: every secret the redaction rules know is masked, in linear time."""

from __future__ import annotations

import pytest

from logpipe.logs import mask
from tests.cpu_time import cpu_seconds


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("engine at https://elastic:pw123@es:9200 refused", "pw123"),
        ("retry GET /cb?sig=AbCdEf0123456789xyz&appid=wx8a1b2c3d4e", "AbCdEf0123456789xyz"),
        ('bad doc {"secretAccessKey": "Zz9/Kq2+Lm9Pw4Rt7Vb3Nc"}', "Zz9/Kq2+Lm9Pw4Rt7Vb3Nc"),
        ("child exited: mysql -u root -pS3cretPw", "S3cretPw"),
        ("header Set-Cookie: sid=38afes7a8; Path=/; HttpOnly", "38afes7a8"),
        ("cannot reach https://tok3nValue@es:9200", "tok3nValue"),
        ("--kibana 'user:pw-S3cret@kibana:5601' is not a URL", "pw-S3cret"),
    ],
)
def test_secrets_masked(line: str, secret: str) -> None:
    assert secret not in mask(line)


@pytest.mark.parametrize(
    "hostile",
    [
        "key=1&q=" + "." * 65_536,
        "a" * 65_536,
        "a:" * 32_768,
        "http://u:" + "p" * 65_536,
        "http://" * 9_000,
        " a:b" * 16_000,
        "(" + "u:" * 32_000 + "@",
    ],
)
def test_masking_is_linear(hostile: str) -> None:
    assert cpu_seconds(lambda: mask(hostile)) < 0.05


def test_url_and_bare_credentials_keep_what_locates_them() -> None:
    text = mask("https://tok@es:9200, http://u:p4ss@kibana:5601 and (admin:pw@db:5432)")
    assert text == "https://***@es:9200, http://***:***@kibana:5601 and (***@db:5432)"

"""OpenSSH login messages through the default pipeline, as Filebeat's system/auth module reads
them. The syslog lines are LogHub's OpenSSH_2k.log (https://github.com/logpai/loghub,
tests/corpus/real_logs/LICENSES/loghub.txt); the modern forms follow OpenSSH 8-9's wording."""

from __future__ import annotations

import json

import pytest

from logpipe.pipeline import load_pipeline
from tests.unit.test_formats import check, run

LOGHUB = "2005-12-10T12:00:00"


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline("default")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from "
            "173.234.31.186 port 38926 ssh2",
            {"user.name": "webmaster", "source.ip": "173.234.31.186", "source.port": 38926,
             "system.auth.ssh.event": "Failed", "system.auth.ssh.method": "password",
             "source.geo.country_iso_code": "US"},
        ),
        (
            "Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port "
            "42393 ssh2",
            {"user.name": "root", "source.ip": "5.36.59.76", "source.port": 42393,
             "system.auth.ssh.event": "Failed", "source.geo.country_iso_code": "OM"},
        ),
        (
            "Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 "
            "port 49116 ssh2",
            {"user.name": "fztu", "source.ip": "119.137.62.142", "source.port": 49116,
             "system.auth.ssh.event": "Accepted", "system.auth.ssh.method": "password"},
        ),
        (
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
            {"user.name": "webmaster", "source.ip": "173.234.31.186", "source.port": None,
             "system.auth.ssh.event": "Invalid", "message": "Invalid user webmaster from "
             "173.234.31.186"},
        ),
        (
            "Dec 10 07:34:33 LabSZ sshd[24301]: Did not receive identification string from "
            "123.235.32.19",
            {"source.ip": "123.235.32.19", "user.name": None, "system": None},
        ),
    ],
)  # fmt: skip
def test_loghub_sshd_logins_give_user_source_and_method(pipeline, line, expected):
    event = run(pipeline, line, LOGHUB)
    check(event, expected)
    assert event["process"]["name"] == "sshd"


@pytest.mark.parametrize(
    "line",
    [
        "Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for "
        "ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
        "Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root "
        "from 5.36.59.76 port 42393 ssh2]",
        "Dec 10 07:07:45 LabSZ sshd[24206]: Received disconnect from 52.80.34.196: 11: Bye Bye "
        "[preauth]",
        "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown",
        "Jul 11 11:33:13 combo gdm(pam_unix)[2803]: authentication failure; logname= uid=0 euid=0 "
        "tty=:0 ruser= rhost= ",
    ],
)
def test_other_sshd_messages_pass_unchanged_and_untagged(pipeline, line):
    event = run(pipeline, line, LOGHUB)
    assert "user" not in event and "system" not in event
    assert not {"_grokparsefailure", "_sshd_logins_failure"} & set(event.get("tags", ()))
    assert event["message"] == line.split("]: ", 1)[1]


FINGERPRINT = "ED25519 SHA256:0Zr3bY1X6m8kQd3lV3pAa0uHcPq2n5fRk2cWk7bX1Yc"


def test_a_key_login_keeps_its_fingerprint_and_a_host_name_is_a_domain(pipeline):
    """The key's fingerprint is public (it names the key, it opens nothing): not redacted as a
    `signature` field would be."""
    line = (
        "Jan 12 10:00:01 bastion sshd[812]: Accepted publickey for ann from 2001:db8::5 port 51234"
        f" ssh2: {FINGERPRINT}"
    )
    event = run(pipeline, line, "2024-01-12T10:00:00")
    check(event, {"user.name": "ann", "source.ip": "2001:db8::5", "source.port": 51234,
                  "system.auth.ssh.method": "publickey",
                  "system.auth.ssh.signature": FINGERPRINT})  # fmt: skip
    line = "Jan 12 10:00:02 bastion sshd[813]: Invalid user bob from dsl-5.example.net port 60122"
    event = run(pipeline, line, "2024-01-12T10:00:00")
    check(event, {"user.name": "bob", "source.domain": "dsl-5.example.net", "source.ip": None,
                  "source.port": 60122})  # fmt: skip


def test_journald_sshd_messages_get_the_same_fields(pipeline):
    record = {
        "__REALTIME_TIMESTAMP": "1705053601000000",
        "_HOSTNAME": "bastion",
        "SYSLOG_IDENTIFIER": "sshd",
        "_PID": "812",
        "PRIORITY": "6",
        "MESSAGE": "Failed password for root from 203.0.113.9 port 40022 ssh2",
    }
    event = run(pipeline, json.dumps(record), "2024-01-12T10:00:00")
    check(event, {"user.name": "root", "source.ip": "203.0.113.9", "source.port": 40022,
                  "system.auth.ssh.event": "Failed"})  # fmt: skip
    assert "auth.ssh_failure" in event["tags"]


def test_openssh_9_8_session_processes_get_the_same_fields(pipeline):
    """OpenSSH 9.8 split sshd: a session's messages come from `sshd-session`."""
    line = (
        "Jul  2 10:11:12 host sshd-session[4242]: Failed password for invalid user oracle from "
        "198.51.100.7 port 40110 ssh2"
    )
    event = run(pipeline, line, "2024-07-02T10:00:00")
    check(event, {"process.name": "sshd-session", "user.name": "oracle",
                  "source.ip": "198.51.100.7", "source.port": 40110})  # fmt: skip


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; "
            "logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ",
            {"source.ip": "173.234.31.186", "user.name": None},
        ),
        (
            "Dec 10 07:27:50 LabSZ sshd[24235]: pam_unix(sshd:auth): authentication failure; "
            "logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root",
            {"source.ip": "112.95.230.3", "user.name": "root"},
        ),
        (
            "Dec 10 07:13:56 LabSZ sshd[24227]: PAM 5 more authentication failures; logname= uid=0 "
            "euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root",
            {"source.domain": "5.36.59.76.dynamic-dsl-ip.omantel.net.om", "source.ip": None,
             "user.name": "root"},
        ),
        (
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 "
            "euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ",
            {"source.ip": "218.188.2.4", "process.name": "sshd(pam_unix)"},
        ),
    ],
)  # fmt: skip
def test_pam_failures_under_sshd_give_the_remote_host_and_user(pipeline, line, expected):
    """LogHub's OpenSSH_2k and Linux_2k lines: the message stays whole."""
    event = run(pipeline, line, LOGHUB if "Dec 10" in line else "2005-06-14T16:00:00")
    check(event, expected)
    assert event["message"] == line.split("]: ", 1)[1]

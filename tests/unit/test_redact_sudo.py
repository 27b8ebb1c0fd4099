"""sudo's `PWD=` (the user's working directory) is kept; a `PWD` secret anywhere else is not."""

from __future__ import annotations

import copy
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.redaction_text import TextRedactor, redact_text
from logpipe.stages.base import BuildContext
from logpipe.stages.redact import RedactConfig, RedactStage

# Real sudo lines: elastic/beats, filebeat/module/system/auth/test/test.log (Apache-2.0).
REAL_SUDO_LINES = [
    "Feb 21 23:35:33 localhost sudo: vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; "
    "COMMAND=/bin/ls",
    "Feb 23 00:08:48 localhost sudo: vagrant : TTY=pts/1 ; PWD=/home/vagrant ; USER=root ; "
    "COMMAND=/bin/cat /var/log/secure",
    "Feb 24 00:13:02 precise32 sudo:      tsg : user NOT in sudoers ; TTY=pts/1 ; "
    "PWD=/home/vagrant ; USER=root ; COMMAND=/bin/ls",
]
# sudo's layout as the syslog stage leaves the message, and with a working directory holding
# a space (sudo does not escape blanks there).
SUDO_MESSAGES = [
    "  alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/ls",
    "bob : 3 incorrect password attempts ; TTY=pts/2 ; PWD=/srv/My Files ; USER=root ; "
    "COMMAND=/bin/bash",
    "carol : HOST=web-01 ; TTY=ttyp3 ; PWD=/ ; USER=postgres ; COMMAND=/usr/bin/psql",
]

# (text, the secret that must be gone)
STILL_MASKED = [
    ("Driver={ODBC Driver 18};Server=db;Uid=sa;PWD=s3cret;", "s3cret"),
    ("Server=db;Uid=sa;PWD=/s3cret ; USER=root", "/s3cret"),
    ("GET /login?user=alice&pwd=/x9Secret HTTP/1.1", "/x9Secret"),
    ("alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/mysql password=hunter2",
     "hunter2"),
    ("alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/mysql --pwd=hunter2",
     "hunter2"),
    ("alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/x ; TTY=y ; PWD=/hunter2 ; "
     "USER=root", "/hunter2"),
    ("alice : TTY=pts/0 ; pwd=/hunter2 ; USER=root", "/hunter2"),  # not sudo's spelling
    ("alice : TTY=pts/0 ; DB_PWD=/hunter2 ; USER=root", "/hunter2"),  # another name
    ("alice : TTY=pts/0 ; PWD=hunter2 ; USER=root", "hunter2"),  # no absolute path
    ('alice : TTY=pts/0 ; PWD="/hunter2" ; USER=root', "/hunter2"),  # quoted
    ("alice : TTY=pts/0 ; PWD=/hunter2 ; COMMAND=/bin/ls", "/hunter2"),  # no USER= after
    ("alice : TTY=pts/0 ; PWD=/hunter2", "/hunter2"),
    ("alice : TTY=pts/0 ; PWD=/hunter2\n ; USER=root", "/hunter2"),  # not on one line
    ("alice : xTTY=pts/0 ; PWD=/hunter2 ; USER=root", "/hunter2"),  # no TTY field
    ("alice : TTY=pts/0 ; CWD=/a ; PWD=/hunter2 ; USER=root", "/hunter2"),  # TTY= not right before
    ("alice : TTY=pts 0 ; PWD=/hunter2 ; USER=root", "/hunter2"),  # a blank in the tty
    ("alice : TTY=pts\u00a00 ; PWD=/hunter2 ; USER=root", "/hunter2"),  # a non-ASCII blank
    ("COMMAND=/bin/sh " + "y" * 600 + " : TTY=pts/0 ; PWD=/hunter2 ; USER=root", "/hunter2"),
    ("COMMAND=/bin/sh " + "\u00e9" * 1000 + " : TTY=pts/0 ; PWD=/hunter2 ; USER=root", "/hunter2"),
]  # fmt: skip


def build() -> RedactStage:
    return RedactStage(RedactConfig(), BuildContext())


@pytest.mark.parametrize("line", REAL_SUDO_LINES + SUDO_MESSAGES)
def test_sudo_working_directory_is_kept(line: str) -> None:
    assert redact_text(line) == line
    fast, slow = build(), build()
    slow._prefilter = None  # walks every event
    for stage in (fast, slow):
        event = {"message": line}
        stage([event])
        assert event == {"message": line}


@pytest.mark.parametrize(("text", "secret"), STILL_MASKED)
def test_a_pwd_secret_outside_sudo_layout_is_masked(text: str, secret: str) -> None:
    out = redact_text(text)
    assert secret not in out and "[REDACTED:" in out
    for scan in (True, False):
        stage = build()
        if not scan:
            stage._prefilter = None
        event = {"message": text, "nested": [{"cmd": text}]}
        stage([event])
        assert secret not in event["message"] and secret not in event["nested"][0]["cmd"]


def test_a_pwd_whose_user_field_is_another_fields_is_masked() -> None:
    event = {"message": "alice : TTY=pts/0 ; PWD=/hunter2", "note": "a ; USER=root"}
    build()([event])
    assert "hunter2" not in event["message"]


def test_the_batch_scan_and_the_full_walk_agree_on_sudo_lines() -> None:
    texts = REAL_SUDO_LINES + SUDO_MESSAGES + [text for text, _ in STILL_MASKED]
    events = [{"message": text} for text in texts]
    fast, slow = build(), build()
    slow._prefilter = None
    assert fast(copy.deepcopy(events)) == slow(copy.deepcopy(events))


@pytest.mark.parametrize(
    "hostile",
    [
        "a : TTY=pts/0 ; PWD=/x" * 3_000,
        "a : TTY=pts/0 ; PWD=/" + "x" * 65_536,
        ("a : TTY=pts/0 ; PWD=/x ; USER=root ; COMMAND=" + "y" * 900 + "\n") * 70,
        "COMMAND=" * 8_000 + " : TTY=pts/0 ; PWD=/x ; USER=root",
    ],
    ids=lambda t: t[:24],
)
def test_sudo_exemption_stays_linear_on_hostile_input(hostile: str) -> None:
    one = TextRedactor({"secret_param": "mask"})
    start = time.process_time()
    one.redact(hostile)
    assert time.process_time() - start < 0.05


def test_the_batch_scan_does_not_walk_sudo_lines() -> None:
    events = [{"message": line} for line in REAL_SUDO_LINES + SUDO_MESSAGES]
    assert build()._prefilter(events, False) == []


# Pieces of sudo's layout and of what breaks it: escapes, non-ASCII blanks and letters, another
# field, a `COMMAND=` before `TTY=`, a long run (the windows `_not_sudo_cwd` counts in).
_SUDO_PIECES = [
    "alice", " : ", " ; ", "TTY=pts/0", "TTY=", "PWD=", "pwd=", "PWD=/home/alice", "/srv/My Files",
    "/", "USER=root", " ; USER=", "COMMAND=/bin/ls", "HOST=web-01", "\n", "\n", '"', "'", "\\",
    "\u00a0", "\u2028", "\u00e9", "\u0130", "\x10", ";", ":", "=", "x" * 70, "é" * 40,
    "y" * 1100, "TTY=pts/0 ; PWD=/", "hunter2",
]  # fmt: skip
_SUDO_TEXTS = st.lists(st.sampled_from(_SUDO_PIECES), max_size=16).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(_SUDO_TEXTS, st.booleans()), min_size=1, max_size=6))
def test_the_batch_scan_walks_every_sudo_like_event_the_walk_would_change(texts) -> None:
    # half of them beside a field that is walked anyway: its strings take the second scan
    events = [{"message": text, **({"token": "x"} if beside else {})} for text, beside in texts]
    fast, slow = build(), build()
    slow._prefilter = None
    assert fast(copy.deepcopy(events)) == slow(copy.deepcopy(events))

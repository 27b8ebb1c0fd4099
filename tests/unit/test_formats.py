"""Text formats through the default pipeline: each line is claimed by its own format's header.

Lines are real ones: from Elastic Beats' Filebeat module test data (Apache-2.0), the
frameworks' documentation and public bug reports; each misparse class of issue 11 has a case.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logpipe.grok.library import parse_patterns
from logpipe.pipeline import load_pipeline


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline("default")


def run(pipeline, line: str, reference: str) -> dict:
    """The event `line` becomes, read with a Kafka timestamp of `reference` (ISO 8601, UTC)."""
    ms = int(datetime.fromisoformat(reference).replace(tzinfo=UTC).timestamp() * 1000)
    kafka = {"topic": "t", "partition": 0, "offset": 1, "key": None, "timestamp": ms}
    [event] = pipeline([{"message": line, "@metadata": {"id": "t-0-1", "kafka": kafka}}])
    return event


def dig(event: dict, path: str):
    node = event
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def check(event: dict, expected: dict) -> None:
    got = {path: dig(event, path) for path in expected}
    assert got == expected
    assert "_grokparsefailure" not in event.get("tags", ())
    assert "_dateparsefailure" not in event.get("tags", ())


def test_python_logging_is_not_syslog_and_keeps_its_traceback(pipeline):
    line = (
        "2024-03-16 11:33:40,489 ERROR root: unhandled exception\n"
        "Traceback (most recent call last):\n"
        '  File "app.py", line 3, in <module>\n'
        "ValueError: bad"
    )
    event = run(pipeline, line, "2024-03-16T12:00:00")
    check(
        event,
        {
            "@timestamp": "2024-03-16T11:33:40.489Z",
            "log.level": "error",
            "log.logger": "root",
            "level": "error",
            "host": None,
            "error.type": "ValueError",
        },
    )
    assert event["message"].startswith("unhandled exception\nTraceback")


def test_spring_boot_keeps_level_thread_logger_and_pid(pipeline):
    line = (
        "2024-03-16 11:33:40.489  WARN 1 --- [nio-8080-exec-1] o.s.w.s.PageNotFound"
        "                     : No mapping for GET /favicon.ico"
    )
    check(
        run(pipeline, line, "2024-03-16T12:00:00"),
        {
            "@timestamp": "2024-03-16T11:33:40.489Z",
            "log.level": "warning",
            "log.logger": "o.s.w.s.PageNotFound",
            "process.thread.name": "nio-8080-exec-1",
            "process.pid": 1,
            "message": "No mapping for GET /favicon.ico",
        },
    )


def test_spring_boot_with_sleuth_and_a_trace(pipeline):
    line = (
        "2024-05-08 12:02:24.911 ERROR [bootstrap,,,] 20658 --- [cat-startStop-1] "
        "org.apache.catalina.core.ContainerBase   : A child container failed during start\n\n"
        "java.util.concurrent.ExecutionException: org.apache.catalina.LifecycleException: x\n"
        "\tat java.util.concurrent.FutureTask.report(FutureTask.java:122) [na:1.8.0_171]"
    )
    event = run(pipeline, line, "2024-05-08T12:10:00")
    check(
        event,
        {
            "log.level": "error",
            "process.pid": 20658,
            "process.thread.name": "cat-startStop-1",
            "log.logger": "org.apache.catalina.core.ContainerBase",
            "error.type": "java.util.concurrent.ExecutionException",
        },
    )
    assert event["message"].startswith("A child container failed during start\n\njava.util")


def test_nginx_error_log_gets_its_own_time_level_and_pid(pipeline):
    line = (
        '2016/10/25 14:49:34 [error] 54053#0: *1 open() "/usr/local/Cellar/nginx/1.10.2_1/'
        'html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: '
        'localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080"'
    )
    check(
        run(pipeline, line, "2016-10-25T15:00:00"),
        {
            "@timestamp": "2016-10-25T14:49:34.000Z",
            "log.level": "error",
            "process.pid": 54053,
            "process.thread.id": 0,
            "nginx.error.connection_id": 1,
            "source.ip": "127.0.0.1",
            "http.request.method": "GET",
            "url.original": "/favicon.ico",
        },
    )


def test_apache_error_log_keeps_the_ah_code_in_the_message(pipeline):
    line = (
        "[Fri Sep 09 10:42:29.902022 2011] [core:warn] [pid 35708:tid 4328636416] [client "
        "72.15.99.187:5123] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico"
    )
    check(
        run(pipeline, line, "2011-09-09T11:00:00"),
        {
            "@timestamp": "2011-09-09T10:42:29.902Z",
            "log.level": "warning",
            "process.pid": 35708,
            "process.thread.id": 4328636416,
            "source.ip": "72.15.99.187",
            "error.code": None,  # an error field would route notices to -errors-
            "message": "AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico",
        },
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@"
            '32473 iut="3" eventSource="Application" eventID="1011"] \ufeffAn application event',
            {
                "host.hostname": "mymachine.example.com",
                "process.name": "evntslog",
                "log.syslog.msgid": "ID47",
                "log.syslog.structured_data": '[exampleSDID@32473 iut="3" eventSource='
                '"Application" eventID="1011"]',
                "log.syslog.facility.name": "local4",
                "log.syslog.severity.code": 5,
                "log.level": "notice",
                "message": "An application event",
            },
        ),
        (
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to "
            "make the do-nuts.",
            {
                "@timestamp": "2003-08-24T12:14:15.000Z",
                "process.name": "myproc",
                "process.pid": 8710,
                "message": "%% It's time to make the do-nuts.",
            },
        ),
    ],
)
def test_rfc5424_header_leaves_the_message(pipeline, line, expected):
    check(run(pipeline, line, expected.get("@timestamp", "2003-10-11T22:30:00")[:19]), expected)


def test_rfc3164_pri_gives_level_facility_and_severity(pipeline):
    line = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"
    check(
        run(pipeline, line, "2003-10-11T22:30:00"),
        {
            "@timestamp": "2003-10-11T22:14:15.000Z",  # no year in the line: the reference's
            "host.hostname": "mymachine",
            "process.name": "su",
            "log.level": "critical",
            "log.syslog.facility.name": "auth",
            "message": "'su root' failed for lonvick on /dev/pts/8",
        },
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # the default '%m [%p] '; CEST is two hours east of UTC
            "2017-07-31 13:36:42.585 CEST [4974] LOG:  database system was shut down at "
            "2017-06-17 16:58:04 CEST",
            {"@timestamp": "2017-07-31T11:36:42.585Z", "process.pid": 4974, "log.level": "info"},
        ),
        (  # Debian's '%m [%p] %q%u@%d '
            '2017-07-31 13:39:16.249 CEST [5407] postgres@users FATAL:  database "users" does '
            "not exist",
            {
                "log.level": "critical",
                "user.name": "postgres",
                "postgresql.log.database": "users",
                "message": 'database "users" does not exist',
            },
        ),
        (  # Amazon RDS '%t:%r:%u@%d:[%p]:'
            '2017-07-31 13:36:42 UTC:10.0.0.123(52834):postgres@mydb:[20175]:ERROR:  relation "x" '
            "does not exist",
            {
                "@timestamp": "2017-07-31T13:36:42.000Z",
                "process.pid": 20175,
                "log.level": "error",
                "source.address": "10.0.0.123",
                "postgresql.log.database": "mydb",
            },
        ),
        (  # '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ' (pgBadger's; Cloud SQL's)
            "2017-07-31 13:36:42 UTC [1234]: [3-1] user=app,db=prod,app=psql,client=10.1.2.3 "
            'ERROR:  syntax error at or near "SELEC" at character 1',
            {
                "process.pid": 1234,
                "user.name": "app",
                "postgresql.log.database": "prod",
                "source.address": "10.1.2.3",
                "log.level": "error",
            },
        ),
        (  # Azure '%t-%c-'
            "2017-07-31 13:36:42 UTC-65f5a2c4.1a2b-LOG:  connection received: host=10.0.0.5",
            {
                "@timestamp": "2017-07-31T13:36:42.000Z",
                "log.level": "info",
                "message": "connection received: host=10.0.0.5",
            },
        ),
        (  # a numeric zone abbreviation, verbose errors with the SQLSTATE
            "2017-07-31 16:36:42.123 +03 [44] ERROR:  42704: unrecognized configuration parameter"
            ' "config_filel"',
            {
                "@timestamp": "2017-07-31T13:36:42.123Z",
                "log.level": "error",
                "postgresql.log.sql_state_code": "42704",
            },
        ),
        (  # a line that belongs to the message before it: no level of its own
            "2017-07-31 13:36:42.585 CEST [22603] postgres@mydb STATEMENT:  SELECT id FROM users",
            {
                "log.level": None,
                "postgresql.log.message_type": "STATEMENT",
                "message": "SELECT id FROM users",
            },
        ),
        (  # csvlog, quotes doubled inside the message
            '2017-07-31 13:36:42.585 UTC,"postgres","postgres",86,"172.24.0.1:45126",5ff26a0c.56'
            ',2,"authentication",2017-07-31 13:36:40 UTC,3/1,0,LOG,00000,"connection authorized'
            ': user=postgres database=postgres application_name=psql",,,,,,,,,"","client backend"',
            {
                "process.pid": 86,
                "log.level": "info",
                "user.name": "postgres",
                "message": "connection authorized: user=postgres database=postgres "
                "application_name=psql",
                "postgresql.log.session_id": "5ff26a0c.56",  # no credential: start time, PID
            },
        ),
    ],
)
def test_postgresql_prefixes_and_levels(pipeline, line, expected):
    check(run(pipeline, line, "2017-07-31T14:00:00"), expected)


def test_a_session_id_outside_postgresql_is_still_redacted(pipeline):
    event = run(pipeline, '{"msg": "login", "session_id": "5ff26a0c.56"}', "2017-07-31T14:00:00")
    assert event["session_id"] == "[REDACTED:field]"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "26571:M 27 Dec 2018 11:19:18.874 * Synchronization with replica 10.114.208.18:6023 "
            "succeeded",
            {"process.pid": 26571, "log.level": "notice", "redis.log.role": "M"},
        ),
        (
            "[2932] 27 Dec 04:32:08 # The server is now ready to accept connections on port 6379",
            {"process.pid": 2932, "log.level": "warning", "@timestamp": "2018-12-27T04:32:08.000Z"},
        ),
        (
            "27 Dec 10:05:20 - 0 clients connected (0 slaves), 618932 bytes in use",
            {"log.level": "info", "message": "0 clients connected (0 slaves), 618932 bytes in use"},
        ),
    ],
)
def test_redis_level_characters_and_legacy_format(pipeline, line, expected):
    check(run(pipeline, line, "2018-12-27T12:00:00"), expected)


@pytest.mark.parametrize(
    "line",
    [
        "just a sentence somebody printed",
        "ERROR something without any header",
        "2024-03-16 plus some words",
    ],
)
def test_lines_of_no_known_format_are_tagged_and_kept(pipeline, line):
    event = run(pipeline, line, "2024-03-16T12:00:00")
    assert "_grokparsefailure" in event["tags"]
    assert event["message"] == line


APPLICATION_LINES = [
    (  # logback 1.3+ BasicConfigurator (its manual): no date, so the Kafka time stays
        "20:46:58.403 [main] INFO  chapters.introduction.HelloWorld1 -- Hello world.",
        # a time of day alone: the Kafka time's date, here the day before (20:46 is after 12:00)
        {"@timestamp": "2024-03-15T20:46:58.403Z", "log.level": "info",
         "log.logger": "chapters.introduction.HelloWorld1", "process.thread.name": "main",
         "message": "Hello world."},
    ),
    (  # log4j2 '%d %-5p [%t] %c - %m'; Hadoop's '%d{ISO8601} %p [%t] %c: %m'
        "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: "
        "Created MRAppMaster for application appattempt_1445144423722_0020_000001",
        {"log.level": "info", "process.thread.name": "main",
         "log.logger": "org.apache.hadoop.mapreduce.v2.app.MRAppMaster"},
    ),
    (  # Spring Boot: a logger name abbreviated with brackets and a slash
        "2020-05-18 22:58:07.204 ERROR 27272 --- [nio-8080-exec-3] o.a.c.c.C.[.[.[/].[dispatcher"
        "Servlet]    : Servlet.service() for servlet [dispatcherServlet] threw exception",
        {"log.level": "error", "process.pid": 27272,
         "log.logger": "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
         "message": "Servlet.service() for servlet [dispatcherServlet] threw exception"},
    ),
    (  # Python '%(asctime)s %(name)s %(levelname)-8s %(message)s'
        "2025-06-11 12:13:47,000 arches.app.tasks ERROR    'child_date'",
        {"log.level": "error", "log.logger": "arches.app.tasks", "message": "'child_date'"},
    ),
    (  # .NET console logger: the whole text stays the message
        "fail: Microsoft.AspNetCore.Server.Kestrel[13]\n      Connection id \"0HLUG0NTPANH3\": "
        "An unhandled exception was thrown by the application.",
        {"log.level": "error", "log.logger": "Microsoft.AspNetCore.Server.Kestrel",
         "event.code": "13"},
    ),
    (  # Kafka's broker log: the logger in parentheses closes the line
        "[2022-04-07 18:19:33,007] INFO [KafkaServer id=0] shutting down "
        "(kafka.server.KafkaServer)",
        {"@timestamp": "2022-04-07T18:19:33.007Z", "log.level": "info",
         "log.logger": "kafka.server.KafkaServer", "message": "[KafkaServer id=0] shutting down"},
    ),
    (  # zap with lowercase levels, a logger and no caller
        "2018-06-19T16:33:42Z\tinfo\tbob\tlob law",
        {"@timestamp": "2018-06-19T16:33:42.000Z", "log.level": "info", "log.logger": "bob",
         "message": "lob law"},
    ),
    (  # Tomcat
        "16-Mar-2024 11:33:40.489 SEVERE [main] org.apache.catalina.startup.Catalina.start "
        "Server startup failed",
        {"@timestamp": "2024-03-16T11:33:40.489Z", "log.level": "error",
         "process.thread.name": "main", "message": "Server startup failed"},
    ),
    (  # Python logging.basicConfig()
        "WARNING:root:Watch out!",
        {"log.level": "warning", "log.logger": "root", "message": "Watch out!"},
    ),
    (
        "2005-03-19 15:10:26,618 - simple_example - WARNING - warn message",
        {"@timestamp": "2005-03-19T15:10:26.618Z", "log.level": "warning",
         "log.logger": "simple_example", "message": "warn message"},
    ),
    (
        "[2014-09-10 10:22:28 +0000] [30869] [INFO] Listening at: http://127.0.0.1:8000 (30869)",
        {"@timestamp": "2014-09-10T10:22:28.000Z", "process.pid": 30869, "log.level": "info"},
    ),
    (
        "INFO:     Started server process [12345]",
        {"log.level": "info", "message": "Started server process [12345]"},
    ),
    (  # logrus without a terminal
        'time="2018-02-25 10:42:20" level=error msg="Starting Process"',
        {"@timestamp": "2018-02-25T10:42:20.000Z", "log.level": "error",
         "message": "Starting Process"},
    ),
    (  # logrus with ReportCaller: a key between level and msg
        'time="2015-03-26T01:27:38-04:00" level=panic method=github.com/sirupsen/arcticcreatures'
        '.migrate msg="a penguin swims by" animal=penguin',
        {"@timestamp": "2015-03-26T05:27:38.000Z", "log.level": "critical",
         "message": "a penguin swims by"},
    ),
    (  # go-kit (Prometheus): ts= first
        'level=info ts=2024-03-16T11:33:40.489Z caller=main.go:12 msg="Starting Prometheus"',
        {"@timestamp": "2024-03-16T11:33:40.489Z", "log.level": "info",
         "message": "Starting Prometheus"},
    ),
    (  # log/slog TextHandler
        'time=2023-08-04T16:09:19.594-04:00 level=WARN msg="hello, world" user=jba',
        {"@timestamp": "2023-08-04T20:09:19.594Z", "log.level": "warning",
         "message": "hello, world"},
    ),
    (
        "WARN[0000] The group's number increased tremendously!  number=122 omg=true",
        {"log.level": "warning"},
    ),
    (  # zap's development (console) encoder
        "2021-02-18T21:48:32.416+0300\tERROR\tzap/main.go:22\tfailed to fetch URL\t"
        '{"url": "http://example.com", "attempt": 3}',
        {"@timestamp": "2021-02-18T18:48:32.416Z", "log.level": "error",
         "log.origin.file.name": "zap/main.go", "log.origin.file.line": 22},
    ),
    (  # klog (Kubernetes): no year
        "E0316 11:33:40.489123       1 reflector.go:138] Failed to watch *v1.Pod: unknown",
        {"@timestamp": "2024-03-16T11:33:40.489Z", "log.level": "error",
         "log.origin.file.name": "reflector.go", "message": "Failed to watch *v1.Pod: unknown"},
    ),
    (
        "2009/11/10 23:00:00 Hello, log",
        {"@timestamp": "2009-11-10T23:00:00.000Z", "message": "Hello, log", "log.level": None},
    ),
    (  # pino-pretty's documentation
        "[2020-04-24 05:42:24.836 +0000] ERROR (6080 on nanopi): TT 21",
        {"@timestamp": "2020-04-24T05:42:24.836Z", "log.level": "error", "process.pid": 6080,
         "host.hostname": "nanopi", "message": "TT 21"},
    ),
    (  # winston simple()
        'error: Something went wrong {"service":"user-service"}',
        {"log.level": "error", "message": 'Something went wrong {"service":"user-service"}'},
    ),
    (  # Ruby's Logger, as Rails writes it
        'I, [2014-11-14T17:45:43.469014 #2]  INFO -- : Started GET "/" for 127.0.0.1 at '
        "2014-11-14 17:45:43 +0000",
        {"@timestamp": "2014-11-14T17:45:43.469Z", "log.level": "info", "process.pid": 2,
         "message": 'Started GET "/" for 127.0.0.1 at 2014-11-14 17:45:43 +0000'},
    ),
    (  # Rails 7.1+ writes no header: the request lines still give their fields
        '[af1c6f1e-2c5e-4b74-9f2c-8b5b2e3f1a2b] Started GET "/users?page=2" for 172.18.0.1 at '
        "2024-03-16 11:33:40 +0000",
        {"@timestamp": "2024-03-16T11:33:40.000Z", "http.request.method": "GET",
         "url.original": "/users?page=2", "source.ip": "172.18.0.1",
         "http.request.id": "af1c6f1e-2c5e-4b74-9f2c-8b5b2e3f1a2b"},
    ),
    (
        "Completed 500 Internal Server Error in 2319ms (ActiveRecord: 500.3ms)",
        {"http.response.status_code": 500, "response_time": 2319,
         "message": "Completed 500 Internal Server Error in 2319ms (ActiveRecord: 500.3ms)"},
    ),
    (  # Calico (Kubernetes networking): '<time> [LEVEL][pid] file.go line: message'
        "2019-08-21 07:24:33.260 [INFO][41] ipsets.go 356: Finished resync family=\"inet\"",
        {"@timestamp": "2019-08-21T07:24:33.260Z", "log.level": "info", "process.pid": 41,
         "log.origin.file.line": 356, "message": 'Finished resync family="inet"'},
    ),
    (  # CoreDNS: the level in brackets, no time
        "[ERROR] plugin/errors: 2 example.org. HINFO: read udp 10.244.0.3:37836->8.8.8.8:53: "
        "i/o timeout",
        {"log.level": "error", "message": "plugin/errors: 2 example.org. HINFO: read udp "
         "10.244.0.3:37836->8.8.8.8:53: i/o timeout"},
    ),
    (  # dmesg with a raw level
        "<3>[    1.234567] ata1: SATA link down (SStatus 0 SControl 300)",
        {"log.level": "error", "kernel.uptime": "1.234567",
         "message": "ata1: SATA link down (SStatus 0 SControl 300)"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("line", "expected"), APPLICATION_LINES)
def test_application_formats(pipeline, line, expected):
    reference = expected.get("@timestamp", "2024-03-16T12:00:00")[:19]
    check(run(pipeline, line, reference), expected)


def journald(message: str) -> str:
    """A journald export record (`journalctl -o json`) carrying `message`."""
    return json.dumps(
        {
            "__REALTIME_TIMESTAMP": "1710588820489000",
            "_HOSTNAME": "db1",
            "SYSLOG_IDENTIFIER": "postgres",
            "_PID": "4974",
            "PRIORITY": "3",
            "MESSAGE": message,
        }
    )


def test_journald_messages_are_tried_and_a_miss_is_no_failure(pipeline):
    event = run(pipeline, journald("just some text"), "2024-03-16T11:35:00")
    assert event["message"] == "just some text"
    assert "_grokparsefailure" not in event.get("tags", ())
    assert event["log"]["level"] == "error"  # journald PRIORITY 3
    line = "2024-03-16 11:33:40.489 UTC [4974] FATAL:  the database system is starting up"
    event = run(pipeline, journald(line), "2024-03-16T11:35:00")
    check(event, {"log.level": "critical", "message": "the database system is starting up"})


def test_application_patterns_shadow_no_logstash_name():
    folder = Path(__file__).resolve().parents[2] / "logpipe" / "grok" / "patterns"
    ours = parse_patterns((folder / "applications").read_text(), "applications")
    for name in ("common", "ecs-v1", "legacy"):
        assert not set(ours) & set(parse_patterns((folder / name).read_text(), name))

"""The built-in grok library: all patterns compile, base patterns, each family in both modes."""

from __future__ import annotations

import pytest

from logpipe.grok.library import PatternLibrary, builtin_patterns

LIBS = {mode: PatternLibrary(mode) for mode in ("v1", "disabled")}

REQUIRED = """
INT NUMBER BASE10NUM BASE16NUM BASE16FLOAT POSINT NONNEGINT WORD NOTSPACE SPACE DATA GREEDYDATA
QUOTEDSTRING QS UUID URN MAC CISCOMAC WINDOWSMAC COMMONMAC IP IPV4 IPV6 HOSTNAME IPORHOST HOSTPORT
PATH UNIXPATH WINPATH TTY URIPROTO URIHOST URIPATH URIQUERY URIPARAM URIPATHPARAM URI MONTH MONTHNUM
MONTHNUM2 MONTHDAY DAY YEAR HOUR MINUTE SECOND TIME DATE_US DATE_EU DATE DATESTAMP ISO8601_TIMEZONE
ISO8601_SECOND TIMESTAMP_ISO8601 TZ DATESTAMP_RFC822 DATESTAMP_RFC2822 DATESTAMP_OTHER
DATESTAMP_EVENTLOG HTTPDATE SYSLOGTIMESTAMP PROG SYSLOGPROG SYSLOGHOST SYSLOGFACILITY SYSLOGBASE
LOGLEVEL USERNAME USER EMAILLOCALPART EMAILADDRESS
HTTPDUSER HTTPDERROR_DATE HTTPD_COMMONLOG HTTPD_COMBINEDLOG HTTPD20_ERRORLOG HTTPD24_ERRORLOG
HTTPD_ERRORLOG COMMONAPACHELOG COMBINEDAPACHELOG
SYSLOGLINE SYSLOGBASE2 SYSLOGPAMSESSION CRONLOG CRON_ACTION SYSLOG5424PRI SYSLOG5424SD
SYSLOG5424BASE SYSLOG5424LINE SYSLOG5424PRINTASCII
JAVACLASS JAVAFILE JAVAMETHOD JAVASTACKTRACEPART JAVATHREAD JAVALOGMESSAGE CATALINA_DATESTAMP
CATALINALOG TOMCAT_DATESTAMP TOMCATLOG
HAPROXYTIME HAPROXYDATE HAPROXYCAPTUREDREQUESTHEADERS HAPROXYCAPTUREDRESPONSEHEADERS HAPROXYHTTPBASE
HAPROXYHTTP HAPROXYTCP
REDISTIMESTAMP REDISLOG REDISMONLOG POSTGRESQL
MONGO_LOG MONGO_QUERY MONGO_SLOWQUERY MONGO_WORDDASH MONGO3_SEVERITY MONGO3_COMPONENT MONGO3_LOG
RUUID RCONTROLLER RAILS3HEAD RPROCESSING RAILS3PROFILE RAILS3FOOT RAILS3 RUBY_LOGLEVEL RUBY_LOGGER
S3_REQUEST_LINE S3_ACCESS_LOG ELB_URIPATHPARAM ELB_URI ELB_REQUEST_LINE ELB_ACCESS_LOG
CLOUDFRONT_ACCESS_LOG SQUID3 BIND9_TIMESTAMP BIND9
""".split()  # noqa: SIM905


def grok(mode: str, expression: str, line: str) -> dict | None:
    return LIBS[mode].compile(expression).captures_of(line)


def contains(actual: object, expected: object) -> bool:
    """`expected` is a nested subset of `actual`."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and contains(actual[k], v) for k, v in expected.items()
        )
    return actual == expected and type(actual) is type(expected)


@pytest.mark.parametrize("mode", ["v1", "disabled"])
def test_every_builtin_pattern_compiles(mode):
    lib = LIBS[mode]
    for name in lib.patterns:
        lib.compile("%{" + name + "}")


@pytest.mark.parametrize("mode", ["v1", "disabled"])
def test_logstash_names_are_present(mode):
    missing = [n for n in REQUIRED if n not in builtin_patterns(mode)]
    assert missing == []


def test_unknown_mode_is_an_error():
    from logpipe.grok.expression import GrokError

    with pytest.raises(GrokError, match="ecs_compatibility"):
        builtin_patterns("v2")


BASE = [
    ("INT", ["-12", "+7", "0"], ["x", "1.5"]),
    ("NUMBER", ["3.14", "-2", ".5", "42"], ["abc", "1."]),
    ("POSINT", ["1", "909"], ["0", "-1"]),
    ("NONNEGINT", ["0", "12"], ["-3"]),
    ("BASE16NUM", ["0x1F", "dead", "-0xff"], ["xyz"]),
    ("WORD", ["hello_1"], ["two words"]),
    ("NOTSPACE", ["a/b:c"], ["a b"]),
    ("QS", ['"a \\"quoted\\" word"', "'single'", '""'], ['"open']),
    ("UUID", ["123e4567-e89b-12d3-a456-426614174000"], ["123e4567-e89b-12d3-a456"]),
    ("MAC", ["00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e"], ["00:1a:2b"]),
    ("IPV4", ["10.0.0.1", "255.255.255.255", "192.168.001.010"], ["256.1.1.1", "1.2.3"]),
    (
        "IPV6",
        ["::1", "2001:db8::ff00:42:8329", "fe80::1%eth0", "::ffff:192.0.2.128", "1:2:3:4:5:6:7:8"],
        ["1:2:3:4:5:6:7:8:9", "12345::"],
    ),
    ("IP", ["10.1.2.3", "2001:db8::1"], ["example.com"]),
    ("HOSTNAME", ["example.com", "web-01.eu.example.org", "localhost"], ["-bad.example"]),
    ("IPORHOST", ["10.0.0.1", "db.internal"], ["a b"]),
    ("HOSTPORT", ["example.com:8080", "10.0.0.1:22"], ["example.com"]),
    ("EMAILADDRESS", ["john.doe+tag@example.co.uk"], ["@example.com"]),
    ("USERNAME", ["j.doe-1_x"], ["j doe"]),
    ("UNIXPATH", ["/var/log/nginx/access.log"], ["var/log"]),
    ("WINPATH", ["C:\\Windows\\System32\\drivers", "\\\\server\\share"], ["C:/x"]),
    ("PATH", ["/usr/bin/env", "D:\\data\\file.txt"], ["relative/path"]),
    ("TTY", ["/dev/pts/3", "/dev/tty1"], ["/dev/null"]),
    ("URIPROTO", ["https", "svn+ssh"], ["1http"]),
    ("URIPATHPARAM", ["/search?q=grok&lang=en", "/a/b"], ["search"]),
    (
        "URI",
        ["https://user:pw@example.com:8443/a/b?c=d", "ftp://10.0.0.1/pub", "http://host"],
        ["example.com/path"],
    ),
    ("MONTH", ["Jan", "January", "Sep", "Sept", "September", "Mär", "März", "Okt", "Dez"], ["Foo"]),
    ("MONTHNUM", ["1", "09", "12"], ["13", "00"]),
    ("MONTHDAY", ["1", "09", "31"], ["32", "00"]),
    ("DAY", ["Mon", "Thursday"], ["Mo"]),
    ("YEAR", ["2024", "99"], ["123"]),
    ("TIME", ["13:55:36", "07:01:22.119", "23:59:60"], ["24:00:00", "13:55"]),
    ("DATE_US", ["10/31/2024", "1-2-24"], ["31/10/2024"]),
    ("DATE_EU", ["31.10.2024", "31/10/2024"], ["10.31.2024"]),
    ("DATESTAMP", ["31.10.2024 13:55:36", "10/31/2024-13:55:36"], ["2024-10-31 13:55:36"]),
    (
        "TIMESTAMP_ISO8601",
        ["2024-10-31T13:55:36Z", "2024-10-31 13:55:36,123", "2024-10-31T13:55:36.5+02:00"],
        ["2024/10/31 13:55:36"],
    ),
    ("ISO8601_TIMEZONE", ["Z", "+0200", "-07:00"], ["UTC"]),
    ("TZ", ["UTC", "PST", "CDT", "GMT"], ["XYZ"]),
    ("HTTPDATE", ["10/Oct/2000:13:55:36 -0700"], ["10/10/2000:13:55:36 -0700"]),
    ("SYSLOGTIMESTAMP", ["Oct 11 22:14:15", "Feb  1 00:00:01"], ["11 Oct 22:14:15"]),
    ("DATESTAMP_RFC822", ["Wed Jan 12 2024 12:00:00 UTC"], ["Jan 12 2024"]),
    ("DATESTAMP_RFC2822", ["Tue, 1 Oct 2024 10:00:00 +0200"], ["1 Oct 2024"]),
    ("DATESTAMP_OTHER", ["Tue Oct 1 10:00:00 UTC 2024"], ["Oct 1 2024"]),
    ("DATESTAMP_EVENTLOG", ["20241031135536"], ["2024-10-31"]),
    ("LOGLEVEL", ["INFO", "warn", "Warning", "ERROR", "err", "CRITICAL", "emerg", "TRACE"], ["ok"]),
    ("PROG", ["sshd", "postfix/smtpd"], ["a[1]"]),
    ("SYSLOG5424SD", ['[id@1 a="1"][x y="\\]"]'], ["id@1"]),
    ("JAVACLASS", ["com.example.Foo$Bar"], ["1com"]),
    ("JAVAMETHOD", ["<init>", "lambda$run$0"], ["1x"]),
    ("RUUID", ["0123456789abcdef0123456789ABCDEF"], ["0123"]),
    ("URN", ["urn:isbn:0451450523"], ["isbn:1"]),
]


@pytest.mark.parametrize(("name", "good", "bad"), BASE, ids=[b[0] for b in BASE])
def test_base_patterns_match_whole_values(name, good, bad):
    g = LIBS["v1"].compile(f"^%{{{name}:v}}$")
    for text in good:
        assert g.captures_of(text) == {"v": text}, text
    for text in bad:
        assert g.captures_of(text) is None, text


APACHE = (
    '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/'
    'images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/'
    'logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36"'
)
COMMON = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'
ERR20 = (
    "[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server "
    "configuration: /export/home/live/ap/htdocs/test"
)
ERR24 = (
    "[Mon Aug 31 09:30:48.958285 2015] [proxy_fcgi:error] [pid 28787:tid 140169587934976] "
    "(70008)Partial results are valid but processing is incomplete: [client 58.13.45.166:59307] "
    "AH01075: Error dispatching request to : (reading input brigade)"
)
SYSLOG = "Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8"
SYSLOG_ISO = "2023-10-11T22:14:15.003Z web-1 nginx: worker started"
RFC5424 = (
    '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 [exampleSDID@32473 iut="3" '
    "eventSource=\"Application\"] 'su root' failed for lonvick on /dev/pts/8"
)
PAM = (
    "Jan  1 00:00:01 host sshd[123]: pam_unix(sshd:session): session opened for user root "
    "by (uid=0)"
)
CRON = "Mar  5 04:05:01 host CRON[999]: (root) CMD (run-parts /etc/cron.hourly)"
STACK = "\tat com.example.myproject.Book.getTitle(Book.java:16)"
STACK_NATIVE = "    at java.lang.Thread.<init>(Native Method)"
CATALINA8 = (
    "31-Jul-2020 16:40:38.578 INFO [main] org.apache.catalina.startup.VersionLoggerListener.log "
    "Server version name:   Apache Tomcat/9.0.37"
)
TOMCAT_OLD = "2014-01-09 20:03:28,269 -0800 | ERROR | com.example.service.ExampleService - it broke"
HAPROXY_HTTP = (
    "Sep 14 15:16:32 127.0.0.1 haproxy[12345]: 10.0.0.1:52156 [14/Sep/2014:15:16:32.123] "
    "https-in~ webservers/web1 10/0/30/69/109 200 2750 - - ---- 1/1/0/1/0 0/0 {1wt.eu} {} "
    '"GET /index.html?a=1 HTTP/1.1"'
)
HAPROXY_TCP = (
    "Sep 14 15:16:32 lb1 haproxy[14387]: 10.0.0.1:41898 [14/Sep/2014:15:16:32.601] ft_ssl "
    "bk_ssl/srv1 1/0/5007 212 -- 1/1/1/1/0 0/0"
)
REDIS = "[4018] 14 Nov 07:01:22.119 * Background saving terminated with success"
REDISMON = '1470637867.953466 [0 195.168.1.1:52500] "set" "key" "value"'
POSTGRES = "26.12.2014 13:38:31 UTC postgres 5a1e5c3f.2b71 1234"
MONGO3 = "2016-04-04T12:34:56.789+0000 I NETWORK  [initandlisten] waiting for connections on 27017"
MONGO = "Mar 29 14:38:21 [conn1] end connection 127.0.0.1:58120"
RUBY = "I, [2014-01-09T10:13:36.155604 #11007]  INFO -- main: Hello there"
RAILS = (
    'Started GET "/notes?target_id=162&last=1376298451" for 127.0.0.1 '
    "at 2013-08-12 10:07:31 +0200\n"
    "Processing by NotesController#index as JS\n"
    '  Parameters: {"target_id"=>"162"}\n'
    "Completed 200 OK in 1131ms (Views: 10.2ms | ActiveRecord: 3.0ms)"
)
ELB = (
    "2014-02-15T23:39:43.945958Z my-test-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 "
    '0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/shop?x=1 HTTP/1.1"'
)
S3 = (
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be mybucket "
    "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 "
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE "
    'REST.GET.VERSIONING - "GET /mybucket?versioning HTTP/1.1" 200 - 113 - 7 - "-" '
    '"S3Console/0.4" -'
)
CLOUDFRONT = (
    "2013-11-20 15:30:29 LHR5 1234 192.0.2.10 GET d111111abcdef8.cloudfront.net /view/file.html "
    "200 https://www.example.com/ Mozilla/5.0%20(Windows) - - Hit "
    "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ== d111111abcdef8.cloudfront.net "
    "https 23 0.001 - TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 Hit"
).replace(" ", "\t")
SQUID = (
    "1525344856.899   16867 10.170.72.111 TCP_TUNNEL/200 6256 CONNECT logs.example.com:443 - "
    "HIER_DIRECT/203.0.113.80 -"
)
BIND = (
    "17-Feb-2018 23:06:56.326 queries: info: client 172.26.0.1#12345 (test.example.com): "
    "query: test.example.com IN A +E(0)K (172.26.0.3)"
)

FAMILIES = [
    (
        "COMBINEDAPACHELOG",
        APACHE,
        {
            "source": {"address": "83.149.9.216"},
            "timestamp": "17/May/2015:10:05:03 +0000",
            "http": {
                "request": {
                    "method": "GET",
                    "referrer": "http://semicomplete.com/presentations/logstash-monitorama-2013/",
                },
                "version": "1.1",
                "response": {"status_code": 200, "body": {"bytes": 203023}},
            },
            "url": {"original": "/presentations/logstash-monitorama-2013/images/kibana-search.png"},
            "user_agent": {
                "original": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36"
            },
        },
        {
            "clientip": "83.149.9.216",
            "ident": "-",
            "auth": "-",
            "verb": "GET",
            "httpversion": "1.1",
            "response": "200",
            "bytes": "203023",
            "referrer": '"http://semicomplete.com/presentations/logstash-monitorama-2013/"',
            "agent": '"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36"',
        },
    ),
    (
        "HTTPD_COMMONLOG",
        COMMON,
        {"user": {"name": "frank"}, "url": {"original": "/apache_pb.gif"}},
        {"auth": "frank", "request": "/apache_pb.gif", "timestamp": "10/Oct/2000:13:55:36 -0700"},
    ),
    (
        "HTTPD_ERRORLOG",
        ERR20,
        {
            "timestamp": "Wed Oct 11 14:32:52 2000",
            "log": {"level": "error"},
            "source": {"address": "127.0.0.1"},
            "message": "client denied by server configuration: /export/home/live/ap/htdocs/test",
        },
        {"loglevel": "error", "clientip": "127.0.0.1"},
    ),
    (
        "HTTPD_ERRORLOG",
        ERR24,
        {
            "apache": {
                "error": {
                    "module": "proxy_fcgi",
                    "proxy": {"error": {"code": "70008"}},
                }
            },
            "process": {"pid": 28787, "thread": {"id": 140169587934976}},
            "source": {"address": "58.13.45.166", "port": 59307},
            "error": {"code": "AH01075"},
            "message": "Error dispatching request to : (reading input brigade)",
        },
        {"module": "proxy_fcgi", "loglevel": "error", "pid": "28787", "clientport": "59307"},
    ),
    (
        "SYSLOGLINE",
        SYSLOG,
        {
            "timestamp": "Oct 11 22:14:15",
            "host": {"hostname": "mymachine"},
            "process": {"name": "su", "pid": 230},
            "message": "'su root' failed for lonvick on /dev/pts/8",
        },
        {"logsource": "mymachine", "program": "su", "pid": "230", "timestamp": "Oct 11 22:14:15"},
    ),
    (
        "SYSLOGLINE",
        SYSLOG_ISO,
        {"timestamp": "2023-10-11T22:14:15.003Z", "process": {"name": "nginx"}},
        {"timestamp8601": "2023-10-11T22:14:15.003Z", "logsource": "web-1"},
    ),
    (
        "SYSLOG5424LINE",
        RFC5424,
        {
            "log": {"syslog": {"priority": 34}},
            "system": {
                "syslog": {
                    "version": "1",
                    "structured_data": '[exampleSDID@32473 iut="3" eventSource="Application"]',
                }
            },
            "timestamp": "2003-10-11T22:14:15.003Z",
            "host": {"hostname": "mymachine.example.com"},
            "process": {"name": "su"},
            "event": {"code": "ID47"},
            "message": "'su root' failed for lonvick on /dev/pts/8",
        },
        {
            "syslog5424_pri": "34",
            "syslog5424_ver": "1",
            "syslog5424_app": "su",
            "syslog5424_msgid": "ID47",
            "syslog5424_msg": "'su root' failed for lonvick on /dev/pts/8",
        },
    ),
    (
        "SYSLOGPAMSESSION",
        PAM,
        {
            "system": {
                "auth": {
                    "pam": {
                        "module": "pam_unix",
                        "origin": "sshd:session",
                        "session_state": "opened",
                    }
                }
            },
            "user": {"name": "root"},
        },
        {"pam_module": "pam_unix", "pam_caller": "sshd:session", "username": "root"},
    ),
    (
        "CRONLOG",
        CRON,
        {"user": {"name": "root"}, "system": {"cron": {"action": "CMD"}}},
        {"user": "root", "action": "CMD", "message": "run-parts /etc/cron.hourly"},
    ),
    (
        "JAVASTACKTRACEPART",
        STACK,
        {
            "java": {"log": {"origin": {"class": {"name": "com.example.myproject.Book"}}}},
            "log": {"origin": {"function": "getTitle", "file": {"name": "Book.java", "line": 16}}},
        },
        {
            "class": "com.example.myproject.Book",
            "method": "getTitle",
            "file": "Book.java",
            "line": "16",
        },
    ),
    (
        "JAVASTACKTRACEPART",
        STACK_NATIVE,
        {"log": {"origin": {"function": "<init>", "file": {"name": "Native Method"}}}},
        {"class": "java.lang.Thread", "method": "<init>", "file": "Native Method"},
    ),
    (
        "CATALINALOG",
        CATALINA8,
        {
            "log": {"level": "INFO", "origin": {"function": "log"}},
            "java": {
                "log": {
                    "origin": {
                        "thread": {"name": "main"},
                        "class": {"name": "org.apache.catalina.startup.VersionLoggerListener"},
                    }
                }
            },
            "message": "Server version name:   Apache Tomcat/9.0.37",
        },
        {"level": "INFO", "thread": "main", "method": "log"},
    ),
    (
        "TOMCATLOG",
        TOMCAT_OLD,
        {"log": {"level": "ERROR"}, "message": "it broke"},
        {"level": "ERROR", "class": "com.example.service.ExampleService", "logmessage": "it broke"},
    ),
    (
        "HAPROXYHTTP",
        HAPROXY_HTTP,
        {
            "host": {"hostname": "127.0.0.1"},
            "process": {"name": "haproxy", "pid": 12345},
            "source": {"address": "10.0.0.1", "port": 52156, "bytes": 2750},
            "haproxy": {
                "request_date": "14/Sep/2014:15:16:32.123",
                "frontend_name": "https-in~",
                "backend_name": "webservers",
                "server_name": "web1",
                "http": {
                    "request": {
                        "time_wait_ms": 10,
                        "time_wait_without_data_ms": 69,
                        "captured_headers": "1wt.eu",
                    }
                },
                "total_time_ms": "109",
                "termination_state": "----",
                "connections": {
                    "active": 1,
                    "frontend": 1,
                    "backend": 0,
                    "server": 1,
                    "retries": 0,
                },
            },
            "http": {
                "response": {"status_code": 200},
                "request": {"method": "GET"},
                "version": "1.1",
            },
            "url": {"original": "/index.html?a=1", "path": "/index.html", "query": "a=1"},
        },
        {
            "client_ip": "10.0.0.1",
            "syslog_server": "127.0.0.1",
            "server_name": "web1",
            "time_request": "10",
            "http_status_code": "200",
            "captured_request_cookie": "-",
            "captured_request_headers": "1wt.eu",
            "http_verb": "GET",
            "http_request": "/index.html?a=1",
            "http_version": "1.1",
        },
    ),
    (
        "HAPROXYTCP",
        HAPROXY_TCP,
        {
            "haproxy": {"total_waiting_time_ms": 1, "total_time_ms": "5007"},
            "source": {"bytes": 212},
        },
        {"time_queue": "1", "time_duration": "5007", "bytes_read": "212", "retries": "0"},
    ),
    (
        "REDISLOG",
        REDIS,
        {"process": {"pid": 4018}, "timestamp": "14 Nov 07:01:22.119"},
        {"pid": "4018", "timestamp": "14 Nov 07:01:22.119"},
    ),
    (
        "REDISMONLOG",
        REDISMON,
        {
            "redis": {"database": {"id": "0"}, "command": {"name": "set", "args": '"key" "value"'}},
            "client": {"ip": "195.168.1.1", "port": 52500},
        },
        {"database": "0", "client": "195.168.1.1", "port": "52500", "command": "set"},
    ),
    (
        "POSTGRESQL",
        POSTGRES,
        {"event": {"timezone": "UTC"}, "user": {"name": "postgres"}, "process": {"pid": 1234}},
        {"user_id": "postgres", "connection_id": "5a1e5c3f.2b71", "pid": "1234"},
    ),
    (
        "MONGO3_LOG",
        MONGO3,
        {
            "log": {"level": "I"},
            "mongodb": {"component": "NETWORK", "context": "initandlisten"},
            "message": "waiting for connections on 27017",
        },
        {"severity": "I", "component": "NETWORK", "context": "initandlisten"},
    ),
    (
        "MONGO_LOG",
        MONGO,
        {"mongodb": {"component": "conn1"}, "message": "end connection 127.0.0.1:58120"},
        {"component": "conn1"},
    ),
    (
        "RUBY_LOGGER",
        RUBY,
        {
            "process": {"pid": 11007, "name": "main"},
            "log": {"level": "INFO"},
            "message": "Hello there",
        },
        {"pid": 11007, "loglevel": "INFO", "progname": "main", "message": "Hello there"},
    ),
    (
        "RAILS3",
        RAILS,
        {
            "http": {"request": {"method": "GET"}, "response": {"status_code": 200}},
            "url": {"original": "/notes?target_id=162&last=1376298451"},
            "source": {"address": "127.0.0.1"},
            "timestamp": "2013-08-12 10:07:31 +0200",
            "rails": {
                "controller": {"class": "NotesController", "action": "index"},
                "request": {
                    "format": "JS",
                    "params": '"target_id"=>"162"',
                    "duration": {"total": 1131.0, "view": 10.2, "active_record": 3.0},
                },
            },
        },
        {"controller": "NotesController", "action": "index", "totalms": "1131", "viewms": "10.2"},
    ),
    (
        "ELB_ACCESS_LOG",
        ELB,
        {
            "aws": {
                "elb": {
                    "name": "my-test-loadbalancer",
                    "backend": {
                        "ip": "10.0.0.1",
                        "port": 80,
                        "http": {"response": {"status_code": 200}},
                    },
                    "request_processing_time": {"sec": 0.000073},
                }
            },
            "source": {"ip": "192.168.131.39", "port": 2817},
            "http": {
                "response": {"status_code": 200, "body": {"bytes": 29}},
                "request": {"method": "GET", "body": {"bytes": 0}},
                "version": "1.1",
            },
            "url": {
                "original": "http://www.example.com:80/shop?x=1",
                "scheme": "http",
                "domain": "www.example.com",
                "port": 80,
                "path": "/shop",
                "query": "x=1",
            },
        },
        {
            "elb": "my-test-loadbalancer",
            "clientport": 2817,
            "backendport": 80,
            "response": 200,
            "bytes": 29,
            "verb": "GET",
            "proto": "http",
            "urihost": "www.example.com:80",
            "port": "80",
            "path": "/shop",
            "params": "?x=1",
        },
    ),
    (
        "S3_ACCESS_LOG",
        S3,
        {
            "aws": {
                "s3access": {
                    "bucket": "mybucket",
                    "operation": "REST.GET.VERSIONING",
                    "bytes_sent": 113,
                    "total_time": 7,
                    "request_uri": "GET /mybucket?versioning HTTP/1.1",
                }
            },
            "client": {"ip": "192.0.2.3"},
            "http": {"response": {"status_code": 200}, "request": {"method": "GET"}},
            "user_agent": {"original": "S3Console/0.4"},
        },
        {"bucket": "mybucket", "response": 200, "bytes": 113, "agent": '"S3Console/0.4"'},
    ),
    (
        "CLOUDFRONT_ACCESS_LOG",
        CLOUDFRONT,
        {
            "timestamp": "2013-11-20\t15:30:29",
            "aws": {"cloudfront": {"x_edge_location": "LHR5", "time_taken": 0.001}},
            "destination": {"bytes": 1234},
            "http": {"response": {"status_code": 200}},
            "url": {"domain": "d111111abcdef8.cloudfront.net", "path": "/view/file.html"},
            "tls": {"cipher": "ECDHE-RSA-AES128-GCM-SHA256"},
        },
        {"x_edge_location": "LHR5", "sc_bytes": 1234, "sc_status": 200, "time_taken": 0.001},
    ),
    (
        "SQUID3",
        SQUID,
        {
            "squid": {"request": {"duration": 16867}, "hierarchy_code": "HIER_DIRECT"},
            "event": {"action": "TCP_TUNNEL"},
            "http": {
                "response": {"status_code": 200, "bytes": 6256},
                "request": {"method": "CONNECT"},
            },
            "destination": {"address": "203.0.113.80"},
        },
        {"cache_result": "TCP_TUNNEL", "status_code": "200", "server": "203.0.113.80"},
    ),
    (
        "BIND9",
        BIND,
        {
            "client": {"ip": "172.26.0.1", "port": 12345},
            "dns": {"question": {"name": "test.example.com", "class": "IN", "type": "A"}},
            "bind": {"log": {"category": "queries", "question": {"flags": "+E(0)K"}}},
            "server": {"ip": "172.26.0.3"},
        },
        {"query": ["test.example.com", "test.example.com"], "querytype": "A +E(0)K"},
    ),
]


@pytest.mark.parametrize(
    ("pattern", "line", "ecs", "legacy"),
    FAMILIES,
    ids=[f"{f[0]}-{i}" for i, f in enumerate(FAMILIES)],
)
def test_families_in_both_modes(pattern, line, ecs, legacy):
    got_ecs = grok("v1", "%{" + pattern + "}", line)
    assert got_ecs is not None and contains(got_ecs, ecs), got_ecs
    got_legacy = grok("disabled", "%{" + pattern + "}", line)
    assert got_legacy is not None and contains(got_legacy, legacy), got_legacy


def test_ecs_and_legacy_use_different_names():
    assert "clientip" not in grok("v1", "%{COMBINEDAPACHELOG}", APACHE)
    assert "source" not in grok("disabled", "%{COMBINEDAPACHELOG}", APACHE)


def test_unmatched_optional_parts_are_omitted():
    got = grok("v1", "%{HTTPD_COMMONLOG}", '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "-" 400 -')
    assert got == {
        "source": {"address": "10.0.0.1"},
        "timestamp": "10/Oct/2000:13:55:36 -0700",
        "http": {"response": {"status_code": 400}},
    }


@pytest.mark.parametrize("line", [SYSLOG, ERR20, "GET / HTTP/1.1", "", "83.149.9.216 - - ["])
def test_combined_does_not_match_other_lines(line):
    assert grok("v1", "%{COMBINEDAPACHELOG}", line) is None


def test_libraries_share_a_compiled_expression_and_keep_their_own_definitions():
    first = PatternLibrary().compile("%{IP:client.ip} %{WORD:verb}")
    again = PatternLibrary().compile("%{IP:client.ip} %{WORD:verb}")
    assert again is first  # the default pipeline's two grok stages compile it once
    redefined = PatternLibrary(definitions={"WORD": "[a-z]+"}).compile(
        "%{IP:client.ip} %{WORD:verb}"
    )
    assert redefined is not first
    assert redefined.captures_of("10.0.0.1 GET") is None
    assert first.captures_of("10.0.0.1 GET") == {"client": {"ip": "10.0.0.1"}, "verb": "GET"}

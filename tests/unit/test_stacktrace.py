"""The stacktrace stage: traces per language, chained causes, look-alikes, never raises."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.pipeline import load_pipeline
from logpipe.stages.base import BuildContext
from logpipe.stages.stacktrace import StackTraceConfig, StackTraceStage, parse
from tests.cpu_time import cpu_seconds
from tests.unit.real_traces import REAL_TRACES

JAVA = """\
2024-05-02 10:15:02.123 ERROR 4242 --- [nio-8080-exec-3] o.a.c.c.C.[.[.[/].[dispatcherServlet] : \
Servlet.service() threw exception
org.springframework.web.util.NestedServletException: Request processing failed; nested exception \
is java.lang.IllegalStateException: order 1042 has no lines
\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)
\tat org.springframework.web.servlet.FrameworkServlet.doPost(FrameworkServlet.java:909)
\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:681)
\tat java.base/java.lang.Thread.run(Thread.java:833)
Caused by: java.lang.IllegalStateException: order 1042 has no lines
\tat com.shop.orders.OrderService.total(OrderService.java:88)
\tat com.shop.orders.OrderController.checkout(OrderController.java:41)
\t... 48 more
\tSuppressed: java.io.IOException: close failed
\t\tat com.shop.io.Resource.close(Resource.java:12)
\t\tCaused by: java.net.SocketException: Broken pipe
\t\t\t... 3 more
Caused by: java.sql.SQLException: Connection is not available, request timed out after 30000ms.
\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)
\t... 50 more
"""

JAVA_MAIN = """\
Exception in thread "main" java.lang.NullPointerException: Cannot invoke "String.length()" because \
"name" is null
\tat com.example.App.greet(App.java:10)
\tat com.example.App.main(App.java:5)
"""

JAVA_NO_MESSAGE = """\
java.lang.StackOverflowError
\tat com.example.Recursion.down(Recursion.java:7)
\tat com.example.Recursion.down(Recursion.java:7)
"""

JAVA_PACKAGING_DATA = """\
2024-05-02 10:15:02.123 ERROR 1 --- [main] o.s.boot.SpringApplication : Application run failed
java.lang.IllegalArgumentException: Could not resolve placeholder 'db.url'
\tat org.springframework.util.PropertyPlaceholderHelper.parse(PropertyPlaceholderHelper.java:180) \
~[spring-core-5.3.20.jar:5.3.20]
\tat com.example.App.main(App.java:12) [classes/:na]
"""

PYTHON_CHAINED = """\
2024-05-02 10:15:02,123 ERROR [worker] job 77 failed
Traceback (most recent call last):
  File "/app/jobs/import.py", line 41, in load
    row = int(raw)
          ^^^^^^^^
ValueError: invalid literal for int() with base 10: 'abc'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/jobs/runner.py", line 12, in run
    job.load()
  File "/app/jobs/import.py", line 43, in load
    raise ImportFailed(f"row {n}") from exc
jobs.errors.ImportFailed: row 17
"""

PYTHON_DURING = """\
Traceback (most recent call last):
  File "/srv/app.py", line 5, in handler
    return cache[key]
KeyError: 'user:42'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/srv/app.py", line 7, in handler
    return db.fetch(key)
  File "/usr/lib/python3.11/site-packages/psycopg2/extras.py", line 146, in fetch
    return super().execute(query, vars)
psycopg2.OperationalError: server closed the connection unexpectedly
"""

PYTHON_GROUP = """\
  + Exception Group Traceback (most recent call last):
  |   File "/app/main.py", line 9, in <module>
  |     asyncio.run(main())
  | ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions)
  +-+---------------- 1 ----------------
    | Traceback (most recent call last):
    |   File "/app/main.py", line 3, in fetch
    | ConnectionError: host a unreachable
    +---------------- 2 ----------------
    | Traceback (most recent call last):
    |   File "/app/main.py", line 3, in fetch
    | TimeoutError: host b
    +------------------------------------
"""

PYTHON_LOGURU = """\
2024-05-02 10:15:02.123 | ERROR    | app:main:9 - An error has been caught in function 'main'
Traceback (most recent call last):

> File "/app/app.py", line 9, in main
    ratio = total / count
            │       └ 0
            └ 10

ZeroDivisionError: division by zero
"""

GO_PANIC = """\
panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49a1f6]

goroutine 1 [running]:
main.(*Server).handle(0x0, {0xc000012345, 0x5})
\t/app/server.go:42 +0x16
main.main()
\t/app/main.go:17 +0x85
exit status 2
"""

GO_FATAL = """\
fatal error: concurrent map writes

goroutine 18 [running]:
main.worker(0xc0000a2000)
\t/src/worker.go:22 +0x65
created by main.main in goroutine 1
\t/src/main.go:11 +0x7f

goroutine 1 [sleep]:
time.Sleep(0x3b9aca00)
\t/usr/local/go/src/runtime/time.go:195 +0x125
"""

GO_RECOVERED = """\
panic: send on closed channel [recovered]
\tpanic: send on closed channel

goroutine 7 [running]:
testing.tRunner.func1.2({0x5f1a20, 0x6a1c30})
\t/usr/local/go/src/testing/testing.go:1545 +0x238
"""

GO_ZAP_FRAMES = """\
main.(*Handler).ServeHTTP
\t/app/handler.go:88
net/http.serverHandler.ServeHTTP
\t/usr/local/go/src/net/http/server.go:2938"""

NODE = """\
TypeError: Cannot read properties of undefined (reading 'id')
    at getUser (/app/src/users.js:14:22)
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)
    at async Promise.all (index 0)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
"""

NODE_UNCAUGHT = """\
/app/index.js:3
undefinedFn();
^

ReferenceError: undefinedFn is not defined
    at Object.<anonymous> (/app/index.js:3:1)
    at Module._compile (node:internal/modules/cjs/loader:1256:14)
    at node:internal/main/run_main_module:23:47

Node.js v18.19.0
"""

NODE_WINSTON = """\
2024-05-02T10:15:02.123Z error: Error [ERR_INVALID_ARG_TYPE]: The "path" argument must be of type \
string. Received undefined
    at new NodeError (node:internal/errors:405:5)
    at Object.join (node:path:1172:7)
    at loadConfig (/srv/app/config.js:9:18)"""

NODE_CAUSE = """\
Error: checkout failed
    at checkout (/app/shop.js:20:11)
    at main (/app/shop.js:30:3) {
  [cause]: FetchError: request to http://payments/charge failed, reason: connect ECONNREFUSED
      at ClientRequest.<anonymous> (/app/node_modules/node-fetch/lib/index.js:1491:11)
}"""

DOTNET = """\
System.InvalidOperationException: Checkout failed for basket 991
 ---> System.NullReferenceException: Object reference not set to an instance of an object.
   at Shop.Baskets.BasketService.Total(Basket basket) in C:\\src\\Shop\\BasketService.cs:line 42
   at Shop.Baskets.BasketService.Checkout(Guid id) in C:\\src\\Shop\\BasketService.cs:line 17
   --- End of inner exception stack trace ---
   at Shop.Api.BasketController.Post(Guid id) in C:\\src\\Shop\\BasketController.cs:line 30
   at lambda_method(Closure , Object , Object[] )
"""

DOTNET_FRAMEWORK = """\
Unhandled Exception: System.AggregateException: One or more errors occurred. ---> \
System.TimeoutException: The operation has timed out.
   at System.Net.HttpWebRequest.GetResponse()
   at Legacy.Sync.Run()
"""

DOTNET_CORE = """\
Unhandled exception. System.IO.FileNotFoundException: Could not find file '/app/config.json'.
File name: '/app/config.json'
   at Microsoft.Win32.SafeHandles.SafeFileHandle.Open(String path) in /_/src/Handle.cs:line 12
   at Shop.Program.Main(String[] args) in /src/Shop/Program.cs:line 9
"""

RUBY = """\
/app/lib/billing.rb:27:in 'Billing#charge': card declined for order 1042 (Billing::CardDeclined)
\tfrom /app/lib/billing.rb:12:in 'Billing#run'
\tfrom bin/billing:5:in '<main>'
"""

RUBY_OLD = """\
app.rb:10:in `divide': divided by 0 (ZeroDivisionError)
\tfrom app.rb:20:in `<main>'
"""

RAILS = """\
NoMethodError (undefined method `name' for nil:NilClass):
  app/controllers/users_controller.rb:14:in `show'
  actionpack (7.0.8) lib/action_controller/metal/basic_implicit_render.rb:6:in `send_action'
"""


def run(event: dict, **options) -> dict:
    stage = StackTraceStage(StackTraceConfig(**options), BuildContext())
    return stage([event])[0]


@pytest.mark.parametrize(
    ("text", "etype", "emsg", "starts"),
    [
        (
            JAVA,
            "org.springframework.web.util.NestedServletException",
            "Request processing failed; nested exception is java.lang.IllegalStateException: "
            "order 1042 has no lines",
            "org.springframework",
        ),
        (
            JAVA_MAIN,
            "java.lang.NullPointerException",
            'Cannot invoke "String.length()" because "name" is null',
            "Exception in thread",
        ),
        (
            JAVA_PACKAGING_DATA,
            "java.lang.IllegalArgumentException",
            "Could not resolve placeholder 'db.url'",
            "java.lang.Illegal",
        ),
        (JAVA_NO_MESSAGE, "java.lang.StackOverflowError", None, "java.lang.StackOverflowError"),
        (PYTHON_CHAINED, "jobs.errors.ImportFailed", "row 17", "Traceback"),
        (
            PYTHON_DURING,
            "psycopg2.OperationalError",
            "server closed the connection unexpectedly",
            "Traceback",
        ),
        (
            PYTHON_GROUP,
            "ExceptionGroup",
            "unhandled errors in a TaskGroup (2 sub-exceptions)",
            "  + Exception Group",
        ),
        (PYTHON_LOGURU, "ZeroDivisionError", "division by zero", "Traceback"),
        (
            GO_PANIC,
            "panic",
            "runtime error: invalid memory address or nil pointer dereference",
            "panic:",
        ),
        (GO_FATAL, "fatal error", "concurrent map writes", "fatal error:"),
        (GO_RECOVERED, "panic", "send on closed channel", "panic:"),
        (NODE, "TypeError", "Cannot read properties of undefined (reading 'id')", "TypeError"),
        (NODE_UNCAUGHT, "ReferenceError", "undefinedFn is not defined", "ReferenceError"),
        (
            NODE_WINSTON,
            "Error",
            'The "path" argument must be of type string. Received undefined',
            "Error [ERR_",
        ),
        (NODE_CAUSE, "Error", "checkout failed", "Error: checkout"),
        (
            DOTNET,
            "System.InvalidOperationException",
            "Checkout failed for basket 991",
            "System.Invalid",
        ),
        (
            DOTNET_FRAMEWORK,
            "System.AggregateException",
            "One or more errors occurred.",
            "Unhandled Exception",
        ),
        (
            DOTNET_CORE,
            "System.IO.FileNotFoundException",
            "Could not find file '/app/config.json'.\nFile name: '/app/config.json'",
            "Unhandled exception.",
        ),
        (RUBY, "Billing::CardDeclined", "card declined for order 1042", "/app/lib/billing.rb"),
        (RUBY_OLD, "ZeroDivisionError", "divided by 0", "app.rb:10"),
        (RAILS, "NoMethodError", "undefined method `name' for nil:NilClass", "NoMethodError"),
    ],
    ids=[
        "java-spring",
        "java-main",
        "java-packaging-data",
        "java-no-message",
        "python-cause",
        "python-context",
        "python-group",
        "python-loguru",
        "go-panic",
        "go-fatal",
        "go-recovered",
        "node",
        "node-uncaught",
        "node-winston",
        "node-cause",
        "dotnet",
        "dotnet-framework",
        "dotnet-core",
        "ruby",
        "ruby-backtick",
        "rails",
    ],
)
def test_trace_in_message(text: str, etype: str, emsg: str | None, starts: str) -> None:
    event = run({"message": text})
    error = event["error"]
    assert error["type"] == etype
    assert error.get("message") == emsg
    assert error["stack_trace"].startswith(starts)
    assert error["stack_trace"] == error["stack_trace"].rstrip()
    assert text.rstrip().endswith(error["stack_trace"].splitlines()[-1])
    assert "tags" not in event


def test_java_root_cause_skips_suppressed_causes() -> None:
    error = run({"message": JAVA})["error"]
    assert error["cause"] == {
        "type": "java.sql.SQLException",
        "message": "Connection is not available, request timed out after 30000ms.",
    }
    assert "... 50 more" in error["stack_trace"]
    assert "Suppressed: java.io.IOException" in error["stack_trace"]


def test_python_chain_records_first_exception_as_cause() -> None:
    error = run({"message": PYTHON_CHAINED})["error"]
    assert error["cause"]["type"] == "ValueError"
    assert "During handling" not in error["stack_trace"]
    assert run({"message": PYTHON_DURING})["error"]["cause"]["type"] == "KeyError"


def test_dotnet_inner_exception_is_cause() -> None:
    error = run({"message": DOTNET})["error"]
    assert error["cause"]["type"] == "System.NullReferenceException"
    framework = run({"message": DOTNET_FRAMEWORK})["error"]
    assert framework["cause"] == {
        "type": "System.TimeoutException",
        "message": "The operation has timed out.",
    }


def test_node_error_code_and_cause() -> None:
    assert run({"message": NODE_WINSTON})["error"]["code"] == "ERR_INVALID_ARG_TYPE"
    assert run({"message": NODE_CAUSE})["error"]["cause"]["type"] == "FetchError"


def test_root_cause_can_be_switched_off() -> None:
    assert "cause" not in run({"message": JAVA}, root_cause=False)["error"]


def test_java_multiline_message_kept() -> None:
    text = (
        "org.postgresql.util.PSQLException: ERROR: duplicate key value\n"
        "  Detail: Key (email)=(a@b.c) already exists.\n"
        "\tat org.postgresql.core.v3.QueryExecutorImpl.receive(QueryExecutorImpl.java:2676)\n"
    )
    error = run({"message": text})["error"]
    assert error["type"] == "org.postgresql.util.PSQLException"
    assert error["message"] == (
        "ERROR: duplicate key value\n  Detail: Key (email)=(a@b.c) already exists."
    )


def test_go_bare_frames_give_trace_without_type() -> None:
    event = run({"msg": "handler failed", "stacktrace": GO_ZAP_FRAMES})
    assert event["error"] == {"stack_trace": GO_ZAP_FRAMES}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stack_trace", JAVA_MAIN),
        ("exc_info", PYTHON_DURING),
        ("exception", DOTNET),
        ("error.stack", NODE),
        ("err.stack", NODE),
    ],
)
def test_trace_in_json_fields(field: str, value: str) -> None:
    event: dict = {"message": "request failed"}
    parts = field.split(".")
    if len(parts) == 2:
        event[parts[0]] = {parts[1]: value}
    else:
        event[field] = value
    error = run(event)["error"]
    assert error["type"]
    assert error["stack_trace"] == value.rstrip()


def test_ecs_logger_stack_trace_fills_missing_type_only() -> None:
    event = {"message": "boom", "error": {"stack_trace": JAVA_MAIN, "message": "kept"}}
    error = run(event)["error"]
    assert error["type"] == "java.lang.NullPointerException"
    assert error["message"] == "kept"
    assert error["stack_trace"] == JAVA_MAIN


def test_existing_values_kept_unless_overwrite() -> None:
    event = {"message": NODE, "error": {"type": "AppError", "message": "custom"}}
    assert run(dict(event, error=dict(event["error"])))["error"]["type"] == "AppError"
    error = run(dict(event, error=dict(event["error"])), overwrite=True)["error"]
    assert (error["type"], error["message"]) == (
        "TypeError",
        "Cannot read properties of undefined (reading 'id')",
    )


def test_string_error_field_becomes_message() -> None:
    event = run({"error": "dial tcp: connection refused", "stack": NODE})
    assert event["error"]["message"] == "dial tcp: connection refused"
    assert event["error"]["type"] == "TypeError"


def test_trace_in_a_plain_error_string() -> None:
    event = run({"level": "error", "error": JAVA_MAIN})
    assert event["error"]["type"] == "java.lang.NullPointerException"
    assert event["error"]["stack_trace"].startswith("Exception in thread")
    assert event["error"]["message"].startswith("Cannot invoke")
    event = run({"err": "Error: boom\n    at f (/a.js:1:2)"})
    assert event["error"]["type"] == "Error"
    assert event["err"].startswith("Error: boom")


def test_list_of_lines_is_joined() -> None:
    event = run({"stack_trace": JAVA_MAIN.splitlines()})
    assert event["error"]["type"] == "java.lang.NullPointerException"


@pytest.mark.parametrize(
    "text",
    [
        "GET /api/orders/1042 200 12ms",
        "Connection refused\n  at the moment the server is down\nretrying",
        "Meeting at 10:30:15 in room 4\n  at home: 12:01:02",
        "java.lang.IllegalStateException: not a trace because no frames",
        "Traceback is a word\nand so is goroutine",
        "user said: error at line 4\nsee file.go for details",
        "config loaded from /etc/app.yaml\nlisteners at :8080",
        "panic: is only a word here\nno goroutines follow",
        "",
    ],
)
def test_look_alikes_left_alone(text: str) -> None:
    event = run({"message": text})
    assert "error" not in event
    assert "tags" not in event
    assert parse(text) is None


def test_events_without_sources_are_untouched() -> None:
    event = {"url": {"original": "/x"}}
    assert run(dict(event)) == event


_FRAGMENTS = [
    *"at \t\n:.()[]{}|+-'`\"0123456789_$",
    *("Error", "panic: ", "goroutine 1 [", "Traceback (most recent call last):", "Caused by: "),
    *(" ---> ", ".go:", ":in `", "java.lang.X", "\tat a.B.c(B.java:1)", "    at f (/x.js:1:2)"),
    "\tfrom x.rb:1:in 'm'",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join))
def test_never_raises_on_trace_fragments(text: str) -> None:
    event = run({"message": text, "stack_trace": text[::-1]})
    assert "_stacktrace_failure" not in event.get("tags", [])


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.text() | st.integers(),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=8), c),
        max_leaves=8,
    )
)
def test_never_raises_on_any_value(value: object) -> None:
    for key in ("message", "exception", "error", "err"):
        event = {key: value}
        out = StackTraceStage(StackTraceConfig(), BuildContext())([event])
        assert out[0] is event


def _fill(prefix: str, unit: str, suffix: str = "") -> str:
    """64 KiB: `prefix`, `unit` repeated, `suffix`."""
    body = 64 * 1024 - len(prefix) - len(suffix)
    return prefix + (unit * (body // len(unit) + 1))[:body] + suffix


_FRAME = "\n\tat a.B.c(B.java:1)"
HOSTILE = {
    "at-paren-run": _fill("x\n\tat ", "a("),
    "at-frame-open-paren": _fill("\tat a(", "b"),
    "at-lines": _fill("x\n", "\tat a(b\n"),
    "at-close-runs": _fill("x\n\tat a(", ")", " in x"),
    "at-frames-one-line": _fill("java.lang.IllegalStateException: x\n", "\tat a.B.c(B.java:1) ~[x"),
    "dotnet-in": _fill("x\n\tat a() in ", " in x:line ", "1"),
    "node-paren": _fill("x\n    at f (", "a:1:", "1)"),
    "thread-quote": _fill('Exception in thread "', "a") + _FRAME,
    "dotted-header": _fill("", "a.") + _FRAME,
    "inline-header": _fill("", " a.a.Error") + _FRAME,
    "cause-arrows": _fill("x: y", " ---> ") + _FRAME,
    "caused-lines": _fill("", "Caused by: a.B\n") + _FRAME,
    "ruby-in": _fill("", ":1:in `") + "\n",
    "ruby-tail": _fill("a:1:in `m': x", " (A") + ")\n  from b:2:in `c'",
    "go-recovered": _fill("panic: ", "[recovered", "]") + "\n\ngoroutine 1 [running]:",
    "go-spaces": _fill("panic: ", " ", "x\n\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3"),
    "go-frames": _fill("", "\tx.go:"),
    "py-headers": _fill("", "Traceback (most recent call last):\n"),
    "py-pipes": _fill("", "| Traceback (most recent call last):\n|  x\n"),
    "py-indented": "Traceback (most recent call last):\n" + _fill("", "  x\n"),
    "lone-dots": _fill("x\n", "A.", "Exception"),
    "lone-word": _fill("x\n", "a", "Error"),
    "lone-lines": _fill("", "x.Y\n", "Exception"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_64kb_text_parses_in_linear_time(name: str) -> None:
    """Issue 10 item 2: no regex here backtracks; 64 KB of hostile text takes < 50 ms."""
    text = HOSTILE[name]
    assert cpu_seconds(lambda: parse(text)) < 0.05


@pytest.mark.parametrize(
    ("language", "url", "etype", "ctype", "text"),
    REAL_TRACES,
    ids=[f"{lang}-{url.rsplit('/', 3)[-3]}" for lang, url, *_ in REAL_TRACES],
)
def test_real_traces_from_bug_reports(language, url, etype, ctype, text) -> None:
    trace = parse(text)
    assert trace is not None
    assert trace.type == etype
    if ctype is not None:
        assert trace.cause_type == ctype


@pytest.fixture(scope="module")
def default_pipeline():
    return load_pipeline("default")


def _through(pipeline, line: str) -> dict:
    kafka = {"topic": "t", "partition": 0, "offset": 1, "key": None, "timestamp": 1795687200000}
    (event,) = pipeline([{"message": line, "@metadata": {"id": "t-0-1", "kafka": kafka}}])
    return event


@pytest.mark.parametrize(
    "wrap",
    [
        lambda text: text,
        lambda text: orjson.dumps({"level": "error", "msg": "failed", "stack_trace": text}),
        lambda text: orjson.dumps(
            {
                "log": orjson.dumps({"level": 50, "msg": "failed", "err": {"stack": text}}).decode()
                + "\n",
                "stream": "stderr",
                "time": "2026-11-26T09:58:13.211946071Z",
            }
        ),
        lambda text: orjson.dumps(
            {
                "@timestamp": "2026-11-26T09:58:13.211Z",
                "message": text,
                "log": {"file": {"path": "/var/log/app/error.log"}},
                "agent": {"type": "filebeat"},
            }
        ),
    ],
    ids=["bare", "json-field", "docker-pino-err-stack", "filebeat"],
)
def test_real_traces_wherever_they_sit_through_the_default_pipeline(default_pipeline, wrap):
    missed = []
    for language, url, etype, _ctype, text in REAL_TRACES:
        if etype is None:
            continue
        line = wrap(text)
        event = _through(default_pipeline, line if isinstance(line, str) else line.decode())
        got = event.get("error", {}).get("type") if isinstance(event.get("error"), dict) else None
        if got != etype:
            missed.append((language, url, got))
    assert not missed


def test_serilog_and_otel_exception_fields() -> None:
    stage = StackTraceStage(StackTraceConfig(), BuildContext())
    serilog = {"@x": "System.InvalidOperationException: nope\n   at A.B.C() in /src/x.cs:line 9"}
    otel = {"exception": {"stacktrace": "ValueError: v\n    at f (/a.js:1:2)"}}
    stage([serilog, otel])
    assert serilog["error"]["type"] == "System.InvalidOperationException"
    assert otel["error"]["type"] == "ValueError"


@pytest.mark.parametrize(
    ("text", "etype", "emsg"),
    [
        (
            "Servlet.service() threw exception with root cause\n\n"
            "java.lang.NullPointerException: null",
            "java.lang.NullPointerException",
            "null",
        ),
        (
            "Unhandled Exception: System.IO.FileNotFoundException: Could not load file 'a.dll'.",
            "System.IO.FileNotFoundException",
            "Could not load file 'a.dll'.",
        ),
    ],
)
def test_exception_line_without_frames(text: str, etype: str, emsg: str) -> None:
    event = {"message": text}
    StackTraceStage(StackTraceConfig(), BuildContext())([event])
    assert (event["error"]["type"], event["error"]["message"]) == (etype, emsg)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *' \t:.xXeE"',
                *("java.lang.", "Foo", "Exception", "Error", "Throwable", "Unhandled "),
                "exception",
                *("Exception in thread ", "Unhandled Exception. ", "Unhandled exception: ", "a.b"),
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_one_line_screen_never_hides_a_lone_exception(text: str) -> None:
    from logpipe.stages.stacktrace import _no_trace, lone_exception

    if _no_trace(text):
        assert lone_exception(text) is None

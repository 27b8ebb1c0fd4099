#!/usr/bin/env python3
"""Health check used by scripts/kafka.sh: does a Kafka broker answer on HOST:PORT?

    health.py HOST:PORT [--wait SECONDS] [--pid PID]

Healthy means the broker returns cluster metadata that lists at least one
broker (asked with confluent_kafka's AdminClient). Without confluent_kafka it
falls back to a raw ApiVersions request over TCP.

Prints one line and exits 0 when healthy, 1 when not, 2 when --pid is given and
that process has died while waiting.
"""

import argparse
import os
import socket
import struct
import sys
import time


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still "exists" for kill(0); treat it as dead.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def make_metadata_check(bootstrap):
    from confluent_kafka.admin import AdminClient

    # log_level 0: librdkafka would otherwise print a connect error to stderr
    # for every refused connection while the broker is still starting.
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})

    def check(timeout):
        md = admin.list_topics(timeout=timeout)
        if not md.brokers:
            raise RuntimeError("metadata lists no brokers")
        ids = ",".join(str(b) for b in sorted(md.brokers))
        return f"broker {ids}, cluster {md.cluster_id}, {len(md.topics)} topics"

    return check


def make_api_versions_check(bootstrap):
    host, _, port = bootstrap.rpartition(":")

    def check(timeout):
        client_id = b"logpipe-health"
        # ApiVersions (key 18) v0: header = api_key, api_version, correlation_id, client_id
        body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
        with socket.create_connection((host, int(port)), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(struct.pack(">i", len(body)) + body)
            head = b""
            while len(head) < 10:
                chunk = s.recv(10 - len(head))
                if not chunk:
                    raise RuntimeError("connection closed")
                head += chunk
        _size, corr, err = struct.unpack(">iih", head)
        if corr != 1 or err != 0:
            raise RuntimeError(f"ApiVersions error {err}")
        return "ApiVersions ok (confluent_kafka not installed, protocol check only)"

    return check


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bootstrap", help="HOST:PORT")
    ap.add_argument("--wait", type=float, default=0, help="keep trying for this many seconds")
    ap.add_argument("--pid", type=int, help="give up early if this process dies")
    args = ap.parse_args()

    try:
        check = make_metadata_check(args.bootstrap)
    except ImportError:
        check = make_api_versions_check(args.bootstrap)

    deadline = time.monotonic() + args.wait
    while True:
        if args.pid and not pid_alive(args.pid):
            print(f"kafka process {args.pid} exited")
            return 2
        try:
            left = deadline - time.monotonic()
            info = check(timeout=max(1.0, min(5.0, left)) if args.wait else 5.0)
            print(f"kafka healthy on {args.bootstrap}: {info}")
            return 0
        except Exception as e:  # KafkaException, OSError, RuntimeError
            last = e
        if time.monotonic() >= deadline:
            print(f"kafka not answering on {args.bootstrap}: {last}")
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())

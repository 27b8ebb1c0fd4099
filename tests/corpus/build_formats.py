# ruff: noqa: E501  (message templates and secret shapes read best one per line)
"""Write tests/corpus/security/{attacks,benign}_formats.jsonl: authentication failures (and their
successful counterparts) of sudo, su, sshd, nginx and Apache basic auth, and 401/403 bursts.

The wording follows each program's own message formats (sudo's `incorrect password attempts`,
shadow-utils' `FAILED SU`, nginx's `ngx_http_auth_basic_module` messages, Apache's AH01617/
AH01618); user names and addresses are taken from loghub's OpenSSH log (real attackers' choices).
Run: python tests/corpus/build_formats.py LOGHUB_GIT_DIR
"""

from __future__ import annotations

import random
import re
import sys

import orjson

from tests.corpus.build_security import HERE, access_line, git_show, split_of

FAILURES = [
    "{host} sudo[{pid}]: {user} : {n} incorrect password attempts ; TTY=pts/{t} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/{cmd}",
    "{host} sudo[{pid}]: {user} : user NOT in sudoers ; TTY=pts/{t} ; PWD=/home/{user} ; USER=root ; COMMAND=/bin/bash",
    "{host} sudo[{pid}]: {user} : user NOT authorized on host ; TTY=pts/{t} ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/{cmd}",
    "{host} sudo[{pid}]: pam_unix(sudo:auth): authentication failure; logname={user} uid=1000 euid=0 tty=/dev/pts/{t} ruser={user} rhost=  user={user}",
    "{host} sudo[{pid}]: pam_unix(sudo:auth): conversation failed",
    "{host} sudo[{pid}]: {user} : a password is required ; TTY=pts/{t} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/{cmd}",
    "{host} su: FAILED SU (to root) {user} on pts/{t}",
    "{host} su[{pid}]: FAILED SU (to root) {user} on pts/{t}",
    "{host} su[{pid}]: pam_unix(su-l:auth): authentication failure; logname={user} uid=1000 euid=0 tty=pts/{t} ruser={user} rhost=  user=root",
    "{host} su[{pid}]: pam_unix(su:auth): authentication failure; logname={user} uid=1000 euid=0 tty=pts/{t} ruser={user} rhost=  user=root",
    "{host} su: BAD SU {user} to root on /dev/pts/{t}",
    "{host} su[{pid}]: pam_authenticate: Authentication failure",
    "{host} sshd[{pid}]: Disconnected from invalid user {user} {ip} port {port} [preauth]",
    "{host} sshd[{pid}]: Connection closed by authenticating user root {ip} port {port} [preauth]",
    "{host} sshd[{pid}]: User {user} from {ip} not allowed because not listed in AllowUsers",
    "{host} sshd[{pid}]: User root from {ip} not allowed because listed in DenyUsers",
    "{host} sshd[{pid}]: Invalid user  from {ip} port {port}",
    "{host} sshd[{pid}]: Failed password for invalid user  from {ip} port {port} ssh2",
    "{host} sshd[{pid}]: Failed publickey for {user} from {ip} port {port} ssh2: RSA SHA256:{fp}",
    "{host} sshd[{pid}]: error: maximum authentication attempts exceeded for root from {ip} port {port} ssh2 [preauth]",
    "{host} login[{pid}]: FAILED LOGIN (1) on '/dev/tty{t}' FOR '{user}', Authentication failure",
    '{date} [error] {pid}#{pid}: *{n} user "{user}" was not found in "/etc/nginx/.htpasswd", client: {ip}, server: example.com, request: "GET /admin/ HTTP/1.1", host: "example.com"',
    '{date} [error] {pid}#{pid}: *{n} user "{user}": password mismatch, client: {ip}, server: example.com, request: "GET /admin/ HTTP/1.1", host: "example.com"',
    '{date} [error] {pid}#{pid}: *{n} no user/password was provided for basic authentication, client: {ip}, server: example.com, request: "GET /private HTTP/1.1", host: "example.com"',
    '[{adate}] [auth_basic:error] [pid {pid}] [client {ip}:{port}] AH01617: user {user}: authentication failure for "/private": Password Mismatch',
    "[{adate}] [auth_basic:error] [pid {pid}] [client {ip}:{port}] AH01618: user {user} not found: /private",
]  # fmt: skip
SUCCESSES = [
    "{host} sudo[{pid}]: {user} : TTY=pts/{t} ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/{cmd}",
    "{host} sudo[{pid}]: pam_unix(sudo:session): session opened for user root(uid=0) by {user}(uid=1000)",
    "{host} su[{pid}]: (to root) {user} on pts/{t}",
    "{host} su[{pid}]: pam_unix(su-l:session): session opened for user root(uid=0) by {user}(uid=1000)",
    "{host} sshd[{pid}]: Accepted password for {user} from {ip} port {port} ssh2",
    "{host} sshd[{pid}]: Accepted publickey for {user} from {ip} port {port} ssh2: RSA SHA256:{fp}",
    "{host} sshd[{pid}]: pam_unix(sshd:session): session closed for user {user}",
    "{host} sshd[{pid}]: Received disconnect from {ip} port {port}:11: disconnected by user",
    '{date} [error] {pid}#{pid}: *{n} open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: {ip}, server: example.com, request: "GET /favicon.ico HTTP/1.1"',
    "[{adate}] [authz_core:debug] [pid {pid}] [client {ip}:{port}] AH01626: authorization result of Require valid-user : granted",
    "{host} systemd-logind[{pid}]: New session {n} of user {user}.",
]  # fmt: skip
CMDS = ("apt", "id", "systemctl", "cat", "vim", "docker")


def main() -> None:
    rng = random.Random(7)
    ssh = git_show(sys.argv[1], "OpenSSH/OpenSSH_2k.log")
    users = sorted(set(re.findall(r"[Ii]nvalid user (\w+) from", ssh)))
    ips = sorted(set(re.findall(r"from (\d+\.\d+\.\d+\.\d+)", ssh)))

    def fill(template: str, n: int) -> str:
        return template.format(
            host=f"Nov 26 10:{n % 60:02d}:{n * 7 % 60:02d} web-{n % 3}", pid=1000 + n * 13,
            user=rng.choice(users), ip=rng.choice(ips), port=40000 + n * 17 % 20000, n=n,
            t=n % 5, cmd=rng.choice(CMDS), fp="8Kx" + str(n).zfill(6),
            date=f"2026/11/26 10:{n % 60:02d}:{n * 7 % 60:02d}",
            adate=f"Thu Nov 26 10:{n % 60:02d}:{n * 7 % 60:02d}.{n:06d} 2026",
        )  # fmt: skip

    attacks, benign = [], []
    for n in range(12 * len(FAILURES)):
        attacks.append({"category": "authentication", "source": "formats", "line": fill(FAILURES[n % len(FAILURES)], n)})  # fmt: skip
    for n in range(10 * len(SUCCESSES)):
        benign.append({"look_alike": "authentication", "source": "formats", "line": fill(SUCCESSES[n % len(SUCCESSES)], n)})  # fmt: skip
    for burst in range(12):  # a source failing logins over and over
        ip = rng.choice(ips)
        for k in range(6):
            status, path = ((401, "/login"), (403, "/admin"))[burst % 2]
            line = access_line(path, burst * 6 + k, status).replace("203.0.113.", "x", 1)
            line = ip + line[line.index(" ") :]
            attacks.append({"category": "authentication", "source": "formats (burst)", "line": line})  # fmt: skip
            ok = access_line("/login", burst * 6 + k, 200)
            benign.append({"look_alike": "authentication", "source": "formats", "line": ok})
    for name, rows in (("attacks_formats", attacks), ("benign_formats", benign)):
        with (HERE / f"{name}.jsonl").open("wb") as out:
            for row in rows:
                row["split"] = split_of(row["line"])
                out.write(orjson.dumps(row) + b"\n")
        print(name, len(rows))


if __name__ == "__main__":
    main()

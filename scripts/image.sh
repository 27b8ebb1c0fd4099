#!/usr/bin/env bash
# Builds logpipe's container image (docker/Dockerfile) with podman, without an image registry.
#
#   scripts/image.sh build        make the base if needed, build the image, print its size
#   scripts/image.sh base         only make (or reuse) the Debian base image
#   scripts/image.sh podman ARGS  run podman with this script's containers.conf (tests use it)
#
# No image can be pulled here, so the Dockerfile's `FROM ${PYTHON_IMAGE}` (python:3.11-slim-
# bookworm) is replaced by a Debian bookworm base made from Debian's packages: debootstrap
# (minbase + python3, venv, pip, python-is-python3) into a folder, `podman import` of it. Both
# stages of the Dockerfile start from it (`--build-arg PYTHON_IMAGE=...`; `podman build
# --from` would replace only the first FROM). The root file system is cached as a tarball in
# $LOGPIPE_CACHE/image/ (the first debootstrap takes a few minutes, later builds reuse it).
# The base trusts the host's extra CAs (/usr/local/share/ca-certificates), as the host's pip
# does, so that pip inside the build reaches the package index the way the host does.
#
# podman runs with runc and no default ulimits (crun and the default ulimits fail on this
# machine), through a containers.conf of our own ($LOGPIPE_CACHE/podman/containers.conf, set
# as CONTAINERS_CONF), and builds in docker format (OCI images have no HEALTHCHECK) on the
# host network, without the layer cache (see do_build; a build takes about a minute). Needs root, or podman, runc and debootstrap installed (apt-get install podman
# runc debootstrap: done here when missing and running as root).
#
# Environment:
#   LOGPIPE_CACHE   cache root (default ~/.cache/logpipe)
#   LOGPIPE_IMAGE   image name (default localhost/logpipe:dev)
#   LOGPIPE_BASE    base image name (default localhost/logpipe-base:bookworm)
#   DEBIAN_MIRROR   default http://deb.debian.org/debian
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
CACHE_ROOT="${LOGPIPE_CACHE:-$HOME/.cache/logpipe}"
IMAGE="${LOGPIPE_IMAGE:-localhost/logpipe:dev}"
BASE="${LOGPIPE_BASE:-localhost/logpipe-base:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
PACKAGES=python3,python3-venv,python3-pip,python-is-python3,ca-certificates
ROOTFS_TAR="$CACHE_ROOT/image/debian-$SUITE-python3-rootfs.tar"

log() { echo "image: $*" >&2; }
die() { log "$*"; exit 1; }

ensure_tools() {
    local missing=()
    command -v podman >/dev/null || missing+=(podman)
    command -v runc >/dev/null || missing+=(runc)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    (( ${#missing[@]} == 0 )) && return 0
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        log "installing ${missing[*]} (apt-get)"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    else
        die "needs ${missing[*]}: apt-get install ${missing[*]}"
    fi
}

podman_conf() {
    local conf="$CACHE_ROOT/podman/containers.conf"
    mkdir -p "$(dirname "$conf")"
    cat >"$conf.tmp" <<'EOF'
# written by scripts/image.sh: crun and the default ulimits fail on this machine
[containers]
default_ulimits = []

[engine]
runtime = "runc"
EOF
    mv "$conf.tmp" "$conf"
    export CONTAINERS_CONF="$conf"
}

run_podman() { podman_conf; podman "$@"; }

# The stamp of what the root file system is made from.
base_stamp() { echo "$SUITE $PACKAGES $MIRROR $(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null | sha256sum | cut -c1-16) v1"; }

make_rootfs() {
    if [[ -f "$ROOTFS_TAR" && "$(cat "$ROOTFS_TAR.stamp" 2>/dev/null)" == "$(base_stamp)" ]]; then
        return 0
    fi
    [[ "$(id -u)" == 0 ]] || die "debootstrap needs root"
    local t0=$SECONDS dir
    mkdir -p "$(dirname "$ROOTFS_TAR")"
    dir="$(mktemp -d "$CACHE_ROOT/image/rootfs.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$dir'" EXIT
    log "debootstrap $SUITE (minbase + $PACKAGES) from $MIRROR; takes a few minutes the first time"
    if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$dir" "$MIRROR" \
            >"$CACHE_ROOT/image/debootstrap.log" 2>&1; then
        tail -n 30 "$CACHE_ROOT/image/debootstrap.log" >&2
        die "debootstrap failed (log: $CACHE_ROOT/image/debootstrap.log)"
    fi
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
        chroot "$dir" update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates failed in the base"
    fi
    chroot "$dir" apt-get clean
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/log/* "$dir"/tmp/*
    tar --numeric-owner -C "$dir" -cf "$ROOTFS_TAR.tmp" .
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    base_stamp >"$ROOTFS_TAR.stamp"
    rm -rf "$dir"
    trap - EXIT
    log "root file system made in $((SECONDS - t0))s: $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
}

make_base() {
    ensure_tools
    podman_conf
    make_rootfs
    local want have
    want="$(base_stamp)"
    have="$(podman image inspect --format '{{ index .Config.Labels "logpipe.base" }}' "$BASE" 2>/dev/null || true)"
    if [[ "$have" == "$want" ]]; then
        return 0
    fi
    log "importing $ROOTFS_TAR as $BASE"
    podman import --quiet \
        --change 'CMD ["python3"]' \
        --change 'ENV LANG=C.UTF-8' \
        --change "LABEL logpipe.base=\"$want\"" \
        "$ROOTFS_TAR" "$BASE" >/dev/null
}

do_build() {
    make_base
    local t0=$SECONDS
    log "building $IMAGE from docker/Dockerfile on $BASE"
    # --no-cache: buildah (podman 4.3) reuses a cached `RUN --mount=...,from=build` layer without
    # looking at what the mounted stage now holds, which installs the previous build's wheels.
    podman build --no-cache --format docker --network host --pull=never \
        --build-arg "PYTHON_IMAGE=$BASE" \
        -f "$REPO_ROOT/docker/Dockerfile" -t "$IMAGE" "$REPO_ROOT" >&2
    podman image prune --force >/dev/null 2>&1 || true  # the previous build's untagged layers
    local size
    size="$(podman image inspect --format '{{.Size}}' "$IMAGE")"
    log "built $IMAGE in $((SECONDS - t0))s"
    echo "$IMAGE size: $size bytes ($((size / 1024 / 1024)) MiB)"
}

cmd="${1:-build}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
    build) do_build ;;
    base) make_base; echo "$BASE" ;;
    podman) ensure_tools; run_podman "$@" ;;
    *) echo "usage: $0 {build|base|podman ARGS...}" >&2; exit 2 ;;
esac

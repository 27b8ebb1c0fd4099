#!/usr/bin/env bash
# Builds OpenSearch's index-management (ISM) plugin zip from its tagged source, for the local
# OpenSearch of logpipe's tests (scripts/opensearch.sh calls this when it installs a node).
#
#   scripts/ism-plugin.sh            build if not cached; print the zip's path on stdout
#   scripts/ism-plugin.sh --rebuild  build even if cached
#   scripts/ism-plugin.sh --stamp    print what the cached zip is checked against
#
# The plugin is not published as a binary that this project can download, so:
# - its source is kept in the repository as a tarball of the upstream tag
#   (scripts/ism/index-management-<version>-src.tar.gz: `git archive` of
#   opensearch-project/index-management at the tag, only src/main, spi/src/main, the Gradle
#   files for reference, LICENSE and NOTICE; Apache-2.0), pinned by its sha256 below;
# - scripts/ism/pom.xml compiles it with Maven and the Kotlin compiler from Maven Central
#   (org.jetbrains.kotlin:kotlin-maven-plugin) against org.opensearch:opensearch,
#   org.opensearch:opensearch-job-scheduler-spi and org.opensearch:common-utils of the same
#   version as the server (plugins must match it exactly); the SPI is compiled into the
#   plugin jar, as upstream shades it in;
# - this script assembles the zip: the jar, its runtime dependencies, the
#   plugin-descriptor.properties upstream's Gradle build writes, the security policy,
#   LICENSE and NOTICE.
# Nothing but Maven Central is reached. The first build takes about 2 minutes on 2 idle cores
# (mostly the Kotlin compiler; 7 to 13 minutes on a busy machine); the zip is cached in
# $LOGPIPE_CACHE/ism/ and reused while the tarball, the pom and RECIPE below are unchanged.
#
# Environment:
#   LOGPIPE_CACHE        cache root (default ~/.cache/logpipe)
#   ISM_VERSION          plugin version (default 2.19.4.0; the server is its first three parts)
#   ISM_JAVA_HOME        JDK for Maven and the Kotlin compiler (default: java 11..21 on PATH)
#   ISM_MAVEN_OPTS       JVM options of the build (default -Xmx1536m)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC_DIR="$SCRIPT_DIR/ism"

ISM_VERSION="${ISM_VERSION:-2.19.4.0}"
OS_VERSION="${ISM_VERSION%.*}"
CACHE_ROOT="${LOGPIPE_CACHE:-$HOME/.cache/logpipe}"
OUT_DIR="$CACHE_ROOT/ism"
ZIP="$OUT_DIR/opensearch-index-management-$ISM_VERSION.zip"
TARBALL="$SRC_DIR/index-management-$ISM_VERSION-src.tar.gz"

# sha256 of each source tarball kept in scripts/ism/ (the tag's commit in scripts/ism/README.md).
declare -A SOURCE_SHA256=(
    [2.19.4.0]=1399fb1c6d5fad92039e675fa54c030d5b74188c6460adc3392778fe198900c4
)

# Bump when the steps below change what goes into the zip (comments need no bump).
RECIPE=2

log() { echo "ism-plugin: $*" >&2; }
die() { log "$*"; exit 1; }

rebuild=0 print_stamp=0
for arg in "$@"; do
    case "$arg" in
        --rebuild) rebuild=1 ;;
        --stamp) print_stamp=1 ;;
        *) echo "usage: $0 [--rebuild|--stamp]" >&2; exit 2 ;;
    esac
done

expected="${SOURCE_SHA256[$ISM_VERSION]:-}"
[[ -n "$expected" ]] || die "no pinned source for ISM $ISM_VERSION (have: ${!SOURCE_SHA256[*]})"
[[ -f "$TARBALL" ]] || die "missing $TARBALL"

# What the zip depends on: re-build when any of it changes.
stamp() {
    { cat "$SRC_DIR/pom.xml"; echo "$ISM_VERSION $expected recipe=$RECIPE"; } | sha256sum | awk '{print $1}'
}
if (( print_stamp )); then stamp; exit 0; fi

if (( ! rebuild )) && [[ -f "$ZIP" && -f "$ZIP.stamp" && "$(cat "$ZIP.stamp")" == "$(stamp)" ]]; then
    log "cached: $ZIP"
    echo "$ZIP"
    exit 0
fi

actual="$(sha256sum "$TARBALL" | awk '{print $1}')"
[[ "$actual" == "$expected" ]] || die "$TARBALL: sha256 $actual, expected $expected"

command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"

java_major() { # $1 = java binary
    local v
    v="$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')"
    v="${v#1.}"
    echo "${v%%.*}"
}
if [[ -z "${ISM_JAVA_HOME:-}" ]]; then
    for cand in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/*; do
        [[ -n "$cand" && -x "$cand/bin/javac" ]] || continue
        major="$(java_major "$cand/bin/java" 2>/dev/null || echo 0)"
        if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 11 && major <= 21 )); then
            ISM_JAVA_HOME="$cand"; break
        fi
    done
fi
[[ -n "${ISM_JAVA_HOME:-}" ]] || die "no JDK 11..21 found (set ISM_JAVA_HOME)"

mkdir -p "$OUT_DIR"
exec 9>"$OUT_DIR/build-$ISM_VERSION.lock"
flock 9
if (( ! rebuild )) && [[ -f "$ZIP" && -f "$ZIP.stamp" && "$(cat "$ZIP.stamp")" == "$(stamp)" ]]; then
    echo "$ZIP"; exit 0   # built by another caller while we waited
fi

t0=$SECONDS
work="$(mktemp -d "$OUT_DIR/build.XXXXXX")"
# shellcheck disable=SC2064
trap "rm -rf '$work'" EXIT
log "building opensearch-index-management $ISM_VERSION for OpenSearch $OS_VERSION (java: $ISM_JAVA_HOME); the first build takes a few minutes"
tar -xzf "$TARBALL" -C "$work"
src="$work/index-management-$ISM_VERSION"
[[ -d "$src/src/main/kotlin" ]] || die "$TARBALL has no index-management-$ISM_VERSION/src/main/kotlin"

mvnlog="$work/mvn.log"
mvn_args=(-B -f "$SRC_DIR/pom.xml" "-Dopensearch.version=$OS_VERSION" "-Dism.version=$ISM_VERSION"
          "-Dism.src=$src" "-Dism.build=$work/build")
if ! JAVA_HOME="$ISM_JAVA_HOME" MAVEN_OPTS="${ISM_MAVEN_OPTS:--Xmx1536m}" \
        mvn "${mvn_args[@]}" package >"$mvnlog" 2>&1; then
    grep -E '^\[ERROR\]|^e: ' "$mvnlog" | head -n 40 >&2 || true
    tail -n 20 "$mvnlog" >&2
    cp "$mvnlog" "$OUT_DIR/build-$ISM_VERSION.log"
    die "build failed (full log: $OUT_DIR/build-$ISM_VERSION.log)"
fi

plugin="$work/plugin"
mkdir -p "$plugin"
cp "$work/build/opensearch-index-management-$ISM_VERSION.jar" "$plugin/"
if ! JAVA_HOME="$ISM_JAVA_HOME" mvn "${mvn_args[@]}" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$plugin" >>"$mvnlog" 2>&1; then
    tail -n 20 "$mvnlog" >&2
    die "could not fetch the plugin's runtime dependencies"
fi
cp "$src/src/main/plugin-metadata/plugin-security.policy" "$plugin/"
cp "$src/LICENSE" "$plugin/LICENSE.txt"
cp "$src/NOTICE" "$plugin/NOTICE.txt"
# As upstream's Gradle build (opensearch.opensearchplugin) writes it.
cat >"$plugin/plugin-descriptor.properties" <<EOF
description=OpenSearch Index Management Plugin
version=$ISM_VERSION
name=opensearch-index-management
classname=org.opensearch.indexmanagement.IndexManagementPlugin
java.version=11
opensearch.version=$OS_VERSION
extended.plugins=opensearch-job-scheduler
has.native.controller=false
EOF

rm -f "$ZIP.tmp"
"$ISM_JAVA_HOME/bin/jar" --create --no-manifest --file "$ZIP.tmp" -C "$plugin" .
mv "$ZIP.tmp" "$ZIP"
stamp >"$ZIP.stamp"
log "built $ZIP in $((SECONDS - t0))s ($(ls "$plugin" | grep -c '\.jar$') jars)"
echo "$ZIP"

#!/usr/bin/env bash
# Fetch the classpath of ilm/check/RequestCheck.java and ResponseCheck.java (the official
# Elasticsearch and OpenSearch Java clients) from Maven Central into the cache, once; print the
# lib directory.
# Needs mvn and Java 17+.
#   ilm/check/install.sh            -> prints e.g. ~/.cache/logpipe/ilm-check-<hash>/lib
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${LOGPIPE_CACHE:-$HOME/.cache/logpipe}"
hash="$(sha256sum "$here/pom.xml" | cut -c1-12)"
lib="$cache/ilm-check-$hash/lib"
if [[ ! -f "$lib/.complete" ]]; then
    command -v mvn >/dev/null || { echo "ilm/check/install.sh: mvn is required" >&2; exit 1; }
    rm -rf "$lib"
    mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" >&2
    touch "$lib/.complete"
fi
echo "$lib"

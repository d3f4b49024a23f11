#!/usr/bin/env bash
# Runs the reliability suites against the real services (separate processes) on the PostgreSQL server at
# 127.0.0.1:5432, with fault proxies on every edge a sidecar would sit on, and prints the table.
#
#   reliability/run.sh                 full run: suites 1-7, soak 10 minutes (about 25 minutes in all)
#   reliability/run.sh --quick         CI: suites 1, 2, 5 and 6, shortened (a few minutes)
#   reliability/run.sh --suites 3,4    some suites only; add --quick for their short versions
#   reliability/run.sh --soak PT30M    a longer (or shorter) soak
#   reliability/run.sh --pg-restart    suite 3 also restarts the whole PostgreSQL cluster (see README)
#
# Builds what is missing first (the services' jars and this module). Exit status 0 when every suite passed.
# Logs of every service instance: reliability/target/logs/; the report: reliability/target/report/.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
export MESHSHOP_ROOT="$PWD"

if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    echo "PostgreSQL is not reachable at 127.0.0.1:5432; the suites need it." >&2
    exit 1
fi

# Built in the reactor (package, never install: the local Maven repository is shared, and this module's
# tests use services/common as it is in this tree).
for service in user payment order; do
    if [ ! -f "services/$service/target/$service.jar" ]; then
        echo "Building the services (mvn -B -q package -DskipTests) ..."
        mvn -B -q package -DskipTests
        break
    fi
done
if [ ! -f reliability/target/reliability.jar ] || [ -n "$(find reliability/src reliability/pom.xml -newer reliability/target/reliability.jar -print -quit)" ]; then
    echo "Building reliability/ ..."
    mvn -B -q -pl reliability -am package -DskipTests
fi

exec "$JAVA_HOME/bin/java" -Xmx512m -jar reliability/target/reliability.jar run "$@"

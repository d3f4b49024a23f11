#!/usr/bin/env bash
# meshshop benchmark harness: one command, on PostgreSQL, every figure next to a ceiling measured in the same run.
#
#   bench/run.sh           the full run (about 30 minutes on 2 cores): raw JSON in bench/results/<UTC time>/,
#                          the README table in bench/results/latest.md
#   bench/run.sh --smoke   seconds per phase, low rates, no assertion on speed: fails only when a tool breaks
#                          (a server that does not start, a step with no successful request, a missing file).
#                          For CI; results under bench/target/smoke/, bench/results/ is not touched.
#
# Phases (BENCH_PHASES, default all, in this order):
#   ceiling  the minimal Helidon server (bench/ceiling): wrk, then the load generator's saturation search
#   user     GET /api/users/{id}, each customer reading themself with their bearer token: as shipped (tracing
#            at the default 10% to a local OTLP sink, metrics on), tracing at 100%, and tracing and metrics off;
#            then the database ceiling (bench/ceiling with DB_URL: one row of the same users table, HikariCP and
#            a plain PreparedStatement) with wrk over the same paths
#   order    checkout across user, payment and order, as shipped (the C1 JIT only) and with the full tiered JIT
#            (C2) in the same memory budget (BENCH_ORDER_VARIANTS): the highest mix rate with p99 under the
#            bound; RSS idle and under that load; then wrk placing orders in a closed loop: orders/s, CPU per
#            order of every process and, as shipped, PostgreSQL's statements and transactions per order
#            (pg_stat_statements, pg_stat_database)
#   startup  start-up to the first 200 of /observe/health/ready, plain JVM vs AppCDS vs the JDK 25 AOT cache
#
# Settings (environment): BENCH_JAVA_OPTS (the services' and the ceiling's JVM options; default below),
# BENCH_JVM_ENV (their environment besides the service settings; default MALLOC_ARENA_MAX=2),
# BENCH_P99_MS (50), BENCH_STEP (10s per search step), BENCH_WARMUP (10s), BENCH_ORDER_WARMUP (120s, a closed
# loop through the three services before the checkout search), BENCH_WRK_SECONDS (10),
# BENCH_STARTUP_RUNS (5), BENCH_USERS (50 customers, signed in before each measured phase),
# BENCH_WRK_CHECKOUT_SECONDS (20), BENCH_WRK_CHECKOUT_CONNECTIONS (8), BENCH_ORDER_VARIANTS ("shipped tiered";
# "shipped" alone skips the C2 comparison), BENCH_PORT_BASE (28000: every port is BASE+1..BASE+99), BENCH_PHASES,
# BENCH_PG_HOST/BENCH_PG_PORT/BENCH_PG_USER (127.0.0.1/5432/postgres, trust auth), BENCH_DB_PREFIX (bench, or
# bench_smoke: the databases PREFIX_user/_order/_payment/_stats are dropped and created), BENCH_JFR=1 (JFR recordings
# of the services in the user and order phases, under bench/target/jfr/), BENCH_SKIP_BUILD=1 (use the jars
# as built; missing ones are still built).
#
# Every process this script starts is stopped by its PID when it ends; every load is bounded in count and time;
# traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SMOKE=0
case "${1:-}" in
    --smoke) SMOKE=1 ;;
    "") ;;
    *) echo "usage: bench/run.sh [--smoke]" >&2; exit 2 ;;
esac

# --- JDK: 25 or newer, since the AOT cache (-XX:AOTCacheOutput) is JDK 25's ---------------------------------
for candidate in "${BENCH_JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 "${JAVA_HOME:-}"; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then
        major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
                | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)
        if [ "${major:-0}" -ge 25 ] 2>/dev/null; then
            export JAVA_HOME="$candidate"
            break
        fi
    fi
done
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "${major:-0}" -lt 25 ] 2>/dev/null; then
    echo "bench/run.sh needs a JDK 25 or newer (the AOT cache): set BENCH_JAVA_HOME or JAVA_HOME to one." >&2
    exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
JAVA="$JAVA_HOME/bin/java"

# --- Settings ----------------------------------------------------------------------------------------------
# The JVM options measured here are the ones recommended for run-local.sh, the Dockerfiles and the Deployments
# (see bench/README.md): SerialGC (one GC thread; two cores are shared with everything), the C1 JIT only
# (TieredStopAtLevel=1: C2's compiler arenas and code were most of the RSS above 150 MiB under load, and its
# compile threads competed with the requests during warm-up), a heap of at most
# 64 MiB (the services keep about 22 MiB live), limits on metaspace and code cache that are above what the
# services use, compact object headers (JDK 25: smaller objects, less allocation), and a periodic trim that
# gives freed native memory (JIT arenas, malloc) back to the system. MALLOC_ARENA_MAX=2 keeps glibc from
# reserving an arena per core and thread.
DEFAULT_JAVA_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms48m -Xmx64m -Xss256k -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m -XX:+UseCompactObjectHeaders -XX:TrimNativeHeapInterval=5000"
JAVA_OPTS=${BENCH_JAVA_OPTS:-$DEFAULT_JAVA_OPTS}
read -r -a JVM_ENV <<< "${BENCH_JVM_ENV:-MALLOC_ARENA_MAX=2}"
# The checkout variants: "shipped" runs the services with JAVA_OPTS (the C1 JIT only); "tiered" with the same options
# but the full tiered JIT (C2), in the same heap, metaspace and code-cache budget, so the table shows what each JIT
# costs in CPU per order and in RSS (k8s/base/runtime.env and the prod overlay choose from it).
read -r -a ORDER_VARIANTS <<< "${BENCH_ORDER_VARIANTS:-shipped tiered}"
TIERED_JAVA_OPTS=$(echo "$JAVA_OPTS" | sed -e 's/-XX:TieredStopAtLevel=[0-9]*//' -e 's/  */ /g')
LOADGEN_OPTS="-Xms256m -Xmx1g"
P99_MS=${BENCH_P99_MS:-50}
PORT_BASE=${BENCH_PORT_BASE:-28000}
PG_HOST=${BENCH_PG_HOST:-127.0.0.1}
PG_PORT=${BENCH_PG_PORT:-5432}
PG_USER=${BENCH_PG_USER:-postgres}
PHASES=${BENCH_PHASES:-ceiling user order startup}
# Every port is within BASE+1..BASE+99, so that a range of a hundred ports given to the run is enough.
USER_PORT=$((PORT_BASE + 81))
ORDER_PORT=$((PORT_BASE + 82))
PAYMENT_PORT=$((PORT_BASE + 83))
SUPPORT_USER_PORT=$((PORT_BASE + 84))
SUPPORT_PAYMENT_PORT=$((PORT_BASE + 85))
SINK_PORT=$((PORT_BASE + 88))
CEILING_PORT=$((PORT_BASE + 90))
CEILING_DB_PORT=$((PORT_BASE + 91))

if [ "$SMOKE" = 1 ]; then
    STEP=1s; WARMUP=0s; ORDER_WARMUP=0s; WRK_SECONDS=1; STARTUP_RUNS=1; STARTUP_DISCARD=0; DB_PREFIX=${BENCH_DB_PREFIX:-bench_smoke}
    USERS=20
    # The closed-loop checkout once, at the lowest load wrk makes: one connection for two seconds.
    WRK_CHECKOUT_SECONDS=2; WRK_CHECKOUT_CONNECTIONS=1; CHECKOUT_WRK_USERS=3
    RUN_DIR="$ROOT/bench/target/smoke/$(date -u +%Y%m%dT%H%M%SZ)"
else
    STEP=${BENCH_STEP:-10s}; WARMUP=${BENCH_WARMUP:-10s}; ORDER_WARMUP=${BENCH_ORDER_WARMUP:-120s}
    WRK_SECONDS=${BENCH_WRK_SECONDS:-10}
    # A small pool of customers: each costs two Argon2id hashes at user (sign-up, sign-in), about half a
    # second on this machine, and the pool is made again before every variant; a read of one of 50 cached
    # rows costs what a read of one of 200 did.
    STARTUP_RUNS=${BENCH_STARTUP_RUNS:-5}; STARTUP_DISCARD=1; DB_PREFIX=${BENCH_DB_PREFIX:-bench}; USERS=${BENCH_USERS:-50}
    # The closed-loop checkout: the issue's measurement (wrk -t1 -c8), long enough for a few thousand orders.
    # Its customers are registered apart from the search's (20: each costs two Argon2id hashes at user).
    WRK_CHECKOUT_SECONDS=${BENCH_WRK_CHECKOUT_SECONDS:-20}; WRK_CHECKOUT_CONNECTIONS=${BENCH_WRK_CHECKOUT_CONNECTIONS:-8}
    CHECKOUT_WRK_USERS=20
    RUN_DIR="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
fi
LOG_DIR="$ROOT/bench/target/logs"
# Paths with the bearer tokens of the customers wrk reads as: under target/, never in a results folder.
WRK_DIR="$ROOT/bench/target/wrk"
ARCHIVE_DIR="$ROOT/bench/target/archives"
JFR_DIR="$ROOT/bench/target/jfr"
mkdir -p "$RUN_DIR" "$LOG_DIR" "$ARCHIVE_DIR" "$WRK_DIR"

# The servers run from copies staged under bench/target/stage/ once built: other work in the same tree may
# rebuild services/*/target while the benchmark runs, and an AppCDS archive or AOT cache is only valid for
# the exact jars it was trained with.
STAGE_DIR="$ROOT/bench/target/stage"
# Each jar is staged as app.jar: other work on this machine that stops its servers by a pattern such as
# "user.jar" leaves the benchmark's alone.
CEILING_JAR=$STAGE_DIR/ceiling/app.jar
LOADGEN_JAR=$STAGE_DIR/loadgen/app.jar
jar_of() { echo "$STAGE_DIR/$1/app.jar"; }

say() { printf '\n=== %s\n' "$*"; }

# --- Processes: every PID started here is remembered and stopped by that PID, never by name ---------------
PIDS=()
stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        stop_pid "$pid"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

loadgen() { "$JAVA" $LOADGEN_OPTS -jar "$LOADGEN_JAR" "$@"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_java NAME PORT JAR [NAME=VALUE ...]: starts a server in the background with JAVA_OPTS (plus
# EXTRA_JAVA_OPTS), waits until its readiness answers 200 and sets STARTED_PID.
start_java() {
    local name=$1 port=$2 jar=$3
    shift 3
    if ! port_free "$port"; then
        echo "port $port is taken by another process: set BENCH_PORT_BASE to a free range" >&2
        exit 1
    fi
    env SERVER_PORT="$port" SHUTDOWN_DRAIN=PT0S "${JVM_ENV[@]}" "$@" \
        "$JAVA" $JAVA_OPTS ${EXTRA_JAVA_OPTS:-} -Xlog:gc:file="$LOG_DIR/$name-gc.log":uptime \
        -jar "$jar" > "$LOG_DIR/$name.log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    if ! loadgen wait-ready --url "http://127.0.0.1:$port/observe/health/ready" --timeout 90s; then
        echo "$name did not become ready; its log: $LOG_DIR/$name.log" >&2
        tail -30 "$LOG_DIR/$name.log" >&2
        exit 1
    fi
}

stop_started() {
    stop_pid "$1"
    local kept=()
    for pid in "${PIDS[@]}"; do
        [ "$pid" = "$1" ] || kept+=("$pid")
    done
    PIDS=("${kept[@]}")
}

# The OTLP sink: the services export spans to it over HTTP as they would to a collector.
start_sink() {
    local stats=$1
    if ! port_free "$SINK_PORT"; then
        echo "port $SINK_PORT (OTLP sink) is taken: set BENCH_PORT_BASE" >&2
        exit 1
    fi
    rm -f "$stats"
    # Java started directly, not through the loadgen function: $! must be the JVM's own PID to stop it.
    "$JAVA" $LOADGEN_OPTS -jar "$LOADGEN_JAR" sink --port "$SINK_PORT" --stats-out "$stats" --max-time 2h \
        > "$LOG_DIR/sink.log" 2>&1 &
    SINK_PID=$!
    PIDS+=("$SINK_PID")
    # The sink writes its (empty) counts as soon as it listens.
    for _ in $(seq 1 100); do
        [ -s "$stats" ] && return 0
        kill -0 "$SINK_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "the OTLP sink did not start; its log: $LOG_DIR/sink.log" >&2
    cat "$LOG_DIR/sink.log" >&2
    exit 1
}
TRACING_ON=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)

db_env() {
    echo "DB_URL=jdbc:postgresql://$PG_HOST:$PG_PORT/${DB_PREFIX}_$1" "DB_USER=$PG_USER" "DB_PASSWORD="
}

# Customers sign in: every user server of the run signs with one development key, created on first start as
# run-local.sh does (bench/target/, never committed), and order checks tokens with user's JWKS.
SIGNING_KEYS="$ROOT/bench/target/keys/user-signing-keys.json"
mkdir -p "$(dirname "$SIGNING_KEYS")"
user_auth_env() {
    echo "AUTH_SIGNING_dash_KEYS=$SIGNING_KEYS" "AUTH_GENERATE_dash_SIGNING_dash_KEYS=true"
}
# order_auth_env USER_PORT
order_auth_env() {
    echo "AUTH_JWKS_URL=http://127.0.0.1:$1/.well-known/jwks.json"
}

jfr_opts() {
    if [ "${BENCH_JFR:-0}" = 1 ]; then
        mkdir -p "$JFR_DIR"
        echo "-XX:StartFlightRecording=filename=$JFR_DIR/$1.jfr,settings=profile,dumponexit=true"
    fi
}

# ticks_of PID: user plus system CPU of a process in ticks (USER_HZ is 100: a tick is 10 000 µs).
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# postgres_ticks: the same, summed over every process named postgres (server, backends, background workers). The
# server is shared with other work on this machine, whose queries during a run are counted too. A process that ends
# while awk lists them makes awk exit 2 after printing the sum of the others: that is not an error here.
postgres_ticks() { awk '$2 == "(postgres)" {t += $14 + $15} END {print t + 0}' /proc/[0-9]*/stat 2>/dev/null || true; }
# json_number FILE KEY: the first "KEY":NUMBER of a one-line JSON file (wrk's summary).
json_number() { sed -e "s/.*\"$2\":\([0-9.]*\).*/\1/" "$1"; }
# json_append FILE FIELDS: adds ,FIELDS before the closing brace of a one-line JSON object.
json_append() { sed -i -e "s/}\$/,$2}/" "$1"; }

# wrk_check NAME OUT: wrk counts non-2xx answers as status errors; a run that got none right means the tooling
# broke, and so does one where most were refused (tokens: seed-users checked each before wrk got it). A few 503s
# of a cold server flooded by 64 connections (the smoke run) are reported, not fatal.
wrk_check() {
    local name=$1 out=$2
    [ -s "$out" ] || { echo "wrk wrote no result for $name" >&2; exit 1; }
    if grep -q '"requests":0,' "$out"; then
        echo "wrk made no request against $name" >&2
        exit 1
    fi
    local total non2xx
    total=$(json_number "$out" requests)
    non2xx=$(json_number "$out" status)
    if [ "$((non2xx * 2))" -gt "$total" ]; then
        echo "wrk against $name: $non2xx of $total answers were not 2xx" >&2
        exit 1
    elif [ "$((non2xx * 100))" -gt "$total" ]; then
        echo "note: wrk against $name: $non2xx of $total answers were not 2xx (more than 1%)"
    fi
}

# wrk_run NAME URL PATHS SECONDS OUT [PID]: wrk's throughput, and with PID the server's CPU per request over the
# wrk run (from /proc): on a shared machine CPU per request moves much less than throughput does.
wrk_run() {
    local name=$1 url=$2 paths=$3 seconds=$4 out=$5 pid=${6:-}
    local ticks_before=0
    [ -n "$pid" ] && ticks_before=$(ticks_of "$pid")
    WRK_JSON_OUT="$out" wrk -t2 -c64 -d"${seconds}s" -s bench/wrk/paths.lua "$url" -- "$paths" > "$LOG_DIR/$name-wrk.txt"
    wrk_check "$name" "$out"
    if [ -n "$pid" ]; then
        local ticks_after requests
        ticks_after=$(ticks_of "$pid")
        requests=$(json_number "$out" requests)
        json_append "$out" "\"serverCpuMicrosPerRequest\":$(( (ticks_after - ticks_before) * 10000 / requests ))"
    fi
    echo "wrk $name: $(sed -e 's/.*"requestsPerSec":\([0-9.]*\).*"status":\([0-9]*\).*/\1 req\/s, \2 non-2xx/' "$out")"
}

# backend_ticks FILE: "PID TICKS" of every PostgreSQL backend connected to the run's databases (the services'
# pools), one a line: the share of the shared server that the run's own queries cost.
backend_ticks() {
    local pid
    : > "$1"
    for pid in $(pg_stats -c "SELECT pid FROM pg_stat_activity WHERE datname IN ($RUN_DATABASES)"); do
        awk -v pid="$pid" '{print pid, $14 + $15}' "/proc/$pid/stat" >> "$1" 2>/dev/null || true
    done
}

# wrk_checkout NAME URL CUSTOMERS SKUS SECONDS CONNECTIONS OUT [name=PID ...]: wrk placing orders in a closed
# loop (bench/wrk/checkout.lua); OUT gains the CPU per placed order of each named process, of the PostgreSQL
# backends serving the run's databases ("postgres"; a backend opened during the run counts from zero), of every
# postgres process on the machine ("postgresAll": other work's queries included) and of wrk itself. wrk's own CPU
# is read by a shell of its own that waits for it: its children's CPU (cutime + cstime of /proc/PID/stat, read
# with builtins only) is then wrk's.
wrk_checkout() {
    local name=$1 url=$2 customers=$3 skus=$4 seconds=$5 connections=$6 out=$7
    shift 7
    local kv names=() before=() after=() pg_before pg_after wrk_cpu
    for kv in "$@"; do
        names+=("${kv%%=*}")
        before+=("$(ticks_of "${kv#*=}")")
    done
    backend_ticks "$WRK_DIR/backends-before.txt"
    pg_before=$(postgres_ticks)
    wrk_cpu=$(WRK_JSON_OUT="$out" bash -c 'wrk "$@" > "$0" || exit $?; read -r -a f < /proc/$$/stat; echo $(( f[15] + f[16] ))' \
        "$LOG_DIR/$name-wrk.txt" -t1 -c"$connections" -d"${seconds}s" -s bench/wrk/checkout.lua "$url" \
        -- "$customers" "$skus" "$name-$(date +%s)")
    pg_after=$(postgres_ticks)
    backend_ticks "$WRK_DIR/backends-after.txt"
    for kv in "$@"; do
        after+=("$(ticks_of "${kv#*=}")")
    done
    local backends
    backends=$(awk 'NR == FNR {before[$1] = $2; next} {t += $2 - before[$1]} END {print t + 0}' \
        "$WRK_DIR/backends-before.txt" "$WRK_DIR/backends-after.txt")
    wrk_check "$name" "$out"
    local orders i fields
    orders=$(( $(json_number "$out" requests) - $(json_number "$out" status) ))
    fields="\"connections\":$connections,\"orders\":$orders,\"loadAverage\":\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    if [ "$orders" -gt 0 ]; then
        local cpu="\"wrk\":$(( wrk_cpu * 10000 / orders )),\"postgres\":$(( backends * 10000 / orders ))"
        cpu="$cpu,\"postgresAll\":$(( (pg_after - pg_before) * 10000 / orders ))"
        for i in "${!before[@]}"; do
            cpu="$cpu,\"${names[i]}\":$(( (after[i] - before[i]) * 10000 / orders ))"
        done
        fields="$fields,\"cpuMicrosPerOrder\":{$cpu}"
    fi
    json_append "$out" "$fields"
    echo "wrk $name: $(json_number "$out" requestsPerSec) req/s, $orders orders placed, $(json_number "$out" status) non-2xx"
}

# saturate NAME SCENARIO START_RATE [loadgen options...]: the highest rate with p99 under the bound.
saturate() {
    local name=$1 scenario=$2 start=$3
    shift 3
    if [ "$SMOKE" = 1 ]; then
        loadgen saturate --scenario "$scenario" --p99-ms "$P99_MS" --start-rate 20 --max-rate 40 --max-steps 2 \
            --step-duration "$STEP" --warmup 0s --cooldown 0s --out "$RUN_DIR/$name-saturate.json" "$@"
    else
        loadgen saturate --scenario "$scenario" --p99-ms "$P99_MS" --start-rate "$start" --max-rate 150000 \
            --max-steps 12 --step-duration "$STEP" --warmup "$WARMUP" --out "$RUN_DIR/$name-saturate.json" "$@"
    fi
}

# --- Build ---------------------------------------------------------------------------------------------------
in_root_pom() { grep -q "<module>$1</module>" pom.xml; }
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    say "Building with $JAVA_HOME"
    # package, never install: the local Maven repository is shared with other work on this machine.
    mvn -B -q package -DskipTests
fi
for module in services/payment services/order bench/loadgen bench/ceiling; do
    name=${module##*/}
    if [ -f "$module/pom.xml" ] && { ! in_root_pom "$module" || [ ! -f "$module/target/$name.jar" ]; }; then
        if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$module/target/$name.jar" ]; then
            echo "Building $module (not in the root pom yet, or not built)"
            mvn -B -q -f "$module/pom.xml" package -DskipTests
        fi
    fi
done
rm -rf "$STAGE_DIR"
for module in bench/loadgen bench/ceiling services/user services/payment services/order; do
    name=${module##*/}
    if [ -f "$module/target/$name.jar" ]; then
        mkdir -p "$STAGE_DIR/$name"
        cp -a "$module/target/libs" "$STAGE_DIR/$name/"
        cp -a "$module/target/$name.jar" "$STAGE_DIR/$name/app.jar"
    fi
done
for jar in "$LOADGEN_JAR" "$CEILING_JAR" "$(jar_of user)"; do
    [ -f "$jar" ] || { echo "missing $jar after the build" >&2; exit 1; }
done
HAVE_ORDER=0
if [ -f "$(jar_of order)" ] && [ -f "$(jar_of payment)" ]; then
    HAVE_ORDER=1
fi

# --- Tools and database --------------------------------------------------------------------------------------
if ! command -v wrk > /dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
        echo "Installing wrk (apt-get) ..."
        apt-get update -qq > /dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk > /dev/null
    else
        echo "wrk is missing: install Debian's wrk package (apt-get install wrk)." >&2
        exit 1
    fi
fi
if ! (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null; then
    echo "PostgreSQL is not reachable at $PG_HOST:$PG_PORT (BENCH_PG_HOST, BENCH_PG_PORT)." >&2
    exit 1
fi
fresh_database() {
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -q \
        -c "DROP DATABASE IF EXISTS ${DB_PREFIX}_$1 WITH (FORCE)" -c "CREATE DATABASE ${DB_PREFIX}_$1" > /dev/null
}
for db in user payment order stats; do
    fresh_database "$db"
done

# PostgreSQL's own count of what a checkout costs. pg_stat_database (transactions, rows) always; statements from
# pg_stat_statements when the server preloads it (the extension's view is created in a database of the run's own,
# ${DB_PREFIX}_stats; it cannot be enabled without restarting the server, which the harness never does). Neither is
# reset (that would reset every database's counters on a shared server): snapshots before and after a run are kept
# in ${DB_PREFIX}_stats and subtracted, for the run's three databases only.
RUN_DATABASES="'${DB_PREFIX}_user','${DB_PREFIX}_order','${DB_PREFIX}_payment'"
pg_stats() {
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "${DB_PREFIX}_stats" -v ON_ERROR_STOP=1 -qAt "$@"
}
PG_STATEMENTS=0
if [[ "$(pg_stats -c 'SHOW shared_preload_libraries')" == *pg_stat_statements* ]]; then
    pg_stats -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
    PG_STATEMENTS=1
fi
STATEMENTS_NOW="SELECT d.datname::text AS datname, s.queryid, min(left(regexp_replace(s.query, '\\s+', ' ', 'g'), 300)) AS query,
    sum(s.calls)::bigint AS calls, sum(s.rows)::bigint AS rows, sum(s.total_exec_time) AS ms
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname IN ($RUN_DATABASES) GROUP BY 1, 2"
DATABASES_NOW="SELECT datname::text AS datname, xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted,
    tup_updated, tup_deleted FROM pg_stat_database WHERE datname IN ($RUN_DATABASES)"
# pg_snapshot: the counters now. A backend sends its counts to pg_stat_database at most once a second (PostgreSQL 15),
# so the load must have stopped for a second or two before either snapshot.
pg_snapshot() {
    pg_stats -c "DROP TABLE IF EXISTS before_databases, before_statements" \
        -c "CREATE TABLE before_databases AS $DATABASES_NOW"
    if [ "$PG_STATEMENTS" = 1 ]; then
        pg_stats -c "CREATE TABLE before_statements AS $STATEMENTS_NOW"
    fi
}
# pg_delta OUT: what each database counted since pg_snapshot, as JSON; statements most called first.
pg_delta() {
    local statements="null"
    if [ "$PG_STATEMENTS" = 1 ]; then
        statements="(SELECT coalesce(json_agg(json_build_object('database', a.datname, 'query', a.query,
            'calls', a.calls - coalesce(b.calls, 0), 'rows', a.rows - coalesce(b.rows, 0),
            'ms', round((a.ms - coalesce(b.ms, 0))::numeric, 3)) ORDER BY a.calls - coalesce(b.calls, 0) DESC), '[]')
            FROM ($STATEMENTS_NOW) a LEFT JOIN before_statements b USING (datname, queryid)
            WHERE a.calls > coalesce(b.calls, 0))"
    fi
    pg_stats -c "SELECT json_build_object('pgStatStatements', $PG_STATEMENTS = 1,
        'databases', (SELECT json_object_agg(a.datname, json_build_object(
            'xactCommit', a.xact_commit - b.xact_commit, 'xactRollback', a.xact_rollback - b.xact_rollback,
            'tupReturned', a.tup_returned - b.tup_returned, 'tupFetched', a.tup_fetched - b.tup_fetched,
            'tupInserted', a.tup_inserted - b.tup_inserted, 'tupUpdated', a.tup_updated - b.tup_updated,
            'tupDeleted', a.tup_deleted - b.tup_deleted))
            FROM ($DATABASES_NOW) a JOIN before_databases b USING (datname)),
        'statements', $statements)" > "$1"
}

GIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
    GIT="$GIT+uncommitted changes"
fi
COMMAND="bench/run.sh${1:+ $1}"
loadgen env --out "$RUN_DIR/env.json" --command "$COMMAND" --git "$GIT" --jvm-options "$JAVA_OPTS" \
    --note "PostgreSQL $(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc 'SHOW server_version'); \
smoke=$SMOKE; p99 bound ${P99_MS} ms; search steps $STEP, warm-up $WARMUP (checkout: $ORDER_WARMUP closed loop); \
wrk -t2 -c64 ${WRK_SECONDS}s; checkout wrk -t1 -c$WRK_CHECKOUT_CONNECTIONS ${WRK_CHECKOUT_SECONDS}s; \
service environment: ${JVM_ENV[*]}; checkout variants: ${ORDER_VARIANTS[*]} (tiered: $TIERED_JAVA_OPTS)"
echo "Results: $RUN_DIR   (machine load: $(cut -d' ' -f1-3 /proc/loadavg))"

phase() { [[ " $PHASES " == *" $1 "* ]]; }

# --- 1. Ceiling ----------------------------------------------------------------------------------------------
if phase ceiling; then
    say "1. Ceiling: bench/ceiling on :$CEILING_PORT"
    start_java ceiling "$CEILING_PORT" "$CEILING_JAR"
    ceiling_pid=$STARTED_PID
    echo /api/ceiling > "$RUN_DIR/ceiling-paths.txt"
    if [ "$SMOKE" = 0 ]; then
        wrk_run ceiling-warmup "http://127.0.0.1:$CEILING_PORT" "$RUN_DIR/ceiling-paths.txt" 5 "$LOG_DIR/ceiling-warmup.json"
    fi
    wrk_run ceiling "http://127.0.0.1:$CEILING_PORT" "$RUN_DIR/ceiling-paths.txt" "$WRK_SECONDS" "$RUN_DIR/ceiling-wrk.json" \
        "$ceiling_pid"
    if [ "$SMOKE" = 1 ]; then
        loadgen run --scenario get --url "http://127.0.0.1:$CEILING_PORT" --rate 50 --duration 2s \
            --max-error-ratio 0 --out "$RUN_DIR/ceiling-run.json"
    fi
    saturate ceiling get 1000 --url "http://127.0.0.1:$CEILING_PORT" --watch "ceiling=$ceiling_pid"
    stop_started "$ceiling_pid"
fi

# --- 2. User service: as shipped, tracing at 100%, tracing and metrics off ------------------------------------
if phase user; then
    for variant in shipped trace100 off; do
        [ "$SMOKE" = 1 ] && [ "$variant" != shipped ] && continue
        extra_opts=""
        case $variant in
            shipped) settings=("${TRACING_ON[@]}") ;;
            trace100) settings=("${TRACING_ON[@]}" OTEL_TRACES_SAMPLER_ARG=1.0) ;;
            # Helidon 4.1.2: observe.observers.metrics.enabled=false leaves the global registry empty, so the
            # request and statement timers record nothing (checked: 0 meters after requests).
            off) settings=(OBSERVE_OBSERVERS_METRICS_ENABLED=false) ;;
        esac
        say "2. user ($variant) on :$USER_PORT"
        start_sink "$RUN_DIR/user-$variant-sink.json"
        EXTRA_JAVA_OPTS="$extra_opts $(jfr_opts "user-$variant")" start_java "user-$variant" "$USER_PORT" "$(jar_of user)" \
            $(db_env user) $(user_auth_env) "${settings[@]}"
        user_pid=$STARTED_PID
        # Customers signed in for this variant's wrk runs (tokens last 15 minutes, a variant takes a few).
        loadgen seed-users --url "http://127.0.0.1:$USER_PORT" --count "$USERS" --paths-out "$WRK_DIR/user-paths.txt"
        if [ "$SMOKE" = 0 ]; then
            # Ten seconds flat out: enough requests for the JIT compilers to reach steady code first.
            wrk_run "user-$variant-warmup" "http://127.0.0.1:$USER_PORT" "$WRK_DIR/user-paths.txt" 10 "$LOG_DIR/user-warmup.json"
        fi
        wrk_run "user-$variant" "http://127.0.0.1:$USER_PORT" "$WRK_DIR/user-paths.txt" "$WRK_SECONDS" "$RUN_DIR/user-$variant-wrk.json" \
            "$user_pid"
        # The database ceiling reads the same customers' rows with the same requests (it ignores the token).
        [ "$variant" = shipped ] && cp "$WRK_DIR/user-paths.txt" "$WRK_DIR/ceiling-db-paths.txt"
        rm -f "$WRK_DIR/user-paths.txt"
        if [ "$SMOKE" = 1 ]; then
            loadgen run --scenario read-user --url "http://127.0.0.1:$USER_PORT" --users "$USERS" --rate 50 --duration 2s \
                --max-error-ratio 0 --out "$RUN_DIR/user-$variant-run.json"
        fi
        saturate "user-$variant" read-user 500 --url "http://127.0.0.1:$USER_PORT" --users "$USERS" --watch "user=$user_pid"
        stop_started "$user_pid"
        # The SDK exports what is left in its batch when the service stops: read the counts after that.
        sleep 1.5
        stop_started "$SINK_PID"
        if [ "$variant" != off ] && ! grep -q '"exportRequests":[1-9]' "$RUN_DIR/user-$variant-sink.json"; then
            echo "the OTLP sink received no span export from user ($variant): tracing export is broken" >&2
            exit 1
        fi
    done

    # The database ceiling: the ceiling server reading one row of the users table the variants above filled, by
    # primary key (HikariCP, a plain PreparedStatement, JSON by hand), with the same JVM options and the same wrk
    # settings and paths as the user rows: the most a database-backed read can do on this machine.
    say "2b. database ceiling: bench/ceiling with DB_URL on :$CEILING_DB_PORT"
    start_java ceiling-db "$CEILING_DB_PORT" "$CEILING_JAR" $(db_env user)
    ceiling_db_pid=$STARTED_PID
    if [ "$SMOKE" = 0 ]; then
        wrk_run ceiling-db-warmup "http://127.0.0.1:$CEILING_DB_PORT" "$WRK_DIR/ceiling-db-paths.txt" 10 \
            "$LOG_DIR/ceiling-db-warmup.json"
    fi
    wrk_run ceiling-db "http://127.0.0.1:$CEILING_DB_PORT" "$WRK_DIR/ceiling-db-paths.txt" "$WRK_SECONDS" \
        "$RUN_DIR/ceiling-db-wrk.json" "$ceiling_db_pid"
    rm -f "$WRK_DIR/ceiling-db-paths.txt"
    stop_started "$ceiling_db_pid"
fi

# --- 3. Orders across the three services: as shipped (C1), then with the full tiered JIT ----------------------------
if phase order; then
    if [ "$HAVE_ORDER" = 1 ]; then
        for variant in "${ORDER_VARIANTS[@]}"; do
            [ "$SMOKE" = 1 ] && [ "$variant" != shipped ] && continue
            extra_opts=""
            settings=("${TRACING_ON[@]}")
            saved_java_opts=$JAVA_OPTS
            if [ "$variant" = tiered ]; then
                JAVA_OPTS=$TIERED_JAVA_OPTS
            fi
            say "3. checkout ($variant) across user :$USER_PORT, payment :$PAYMENT_PORT, order :$ORDER_PORT"
            # Fresh databases per variant, so that both start from the same (empty) tables.
            for db in user payment order; do
                fresh_database "$db"
            done
            start_sink "$RUN_DIR/order-$variant-sink.json"
            EXTRA_JAVA_OPTS="$extra_opts $(jfr_opts "order-$variant-user")" start_java "order-$variant-user" "$USER_PORT" \
                "$(jar_of user)" $(db_env user) $(user_auth_env) "${settings[@]}"
            o_user=$STARTED_PID
            EXTRA_JAVA_OPTS="$extra_opts $(jfr_opts "order-$variant-payment")" start_java "order-$variant-payment" \
                "$PAYMENT_PORT" "$(jar_of payment)" $(db_env payment) "${settings[@]}"
            o_payment=$STARTED_PID
            EXTRA_JAVA_OPTS="$extra_opts $(jfr_opts "order-$variant-order")" start_java "order-$variant-order" "$ORDER_PORT" \
                "$(jar_of order)" $(db_env order) $(order_auth_env "$USER_PORT") "${settings[@]}" \
                USER_SERVICE_URL="http://127.0.0.1:$USER_PORT" \
                PAYMENT_SERVICE_URL="http://127.0.0.1:$PAYMENT_PORT"
            o_order=$STARTED_PID
            watch="user=$o_user,payment=$o_payment,order=$o_order"
            sleep 5
            loadgen rss --watch "$watch" --out "$RUN_DIR/order-$variant-rss-idle.json"
            if [ "$SMOKE" = 1 ]; then
                # Cold JVMs on a machine shared with other work may answer a few 503s (a database connection not
                # had within the pool's 500 ms): a tool is broken only when most requests fail, as for wrk.
                loadgen run --scenario checkout --user-url "http://127.0.0.1:$USER_PORT" \
                    --order-url "http://127.0.0.1:$ORDER_PORT" --users "$USERS" --rate 20 --duration 3s --max-error-ratio 0.5 \
                    --watch "$watch" --out "$RUN_DIR/order-$variant-run.json"
            fi
            # A checkout runs through three JVMs: at a few hundred requests a second their JIT compilers need
            # about two minutes of traffic before the code is steady (measured: the first minute costs three
            # times the CPU per request). The warm-up is a closed loop, so it runs at whatever rate they reach.
            WARMUP=$ORDER_WARMUP saturate "order-$variant" checkout 100 --user-url "http://127.0.0.1:$USER_PORT" \
                --order-url "http://127.0.0.1:$ORDER_PORT" --users "$USERS" --watch "$watch"
            # The same services, now loaded by wrk in a closed loop placing orders only: what they sustain when
            # the generator costs little (wrk's CPU per order is measured as well) and no latency bound applies.
            # Files of the shipped variant keep their names (checkout-wrk.json); the others carry the variant's.
            suffix=$([ "$variant" = shipped ] || echo "-$variant")
            say "3b. checkout ($variant; wrk, closed loop, $WRK_CHECKOUT_CONNECTIONS connections) against order :$ORDER_PORT"
            loadgen seed-users --url "http://127.0.0.1:$USER_PORT" --count "$CHECKOUT_WRK_USERS" \
                --paths-out "$WRK_DIR/checkout-users.txt"
            skus=$(curl -sf "http://127.0.0.1:$ORDER_PORT/api/products" | grep -o '"sku" *: *"[^"]*"' \
                   | sed -e 's/.*"\([^"]*\)"$/\1/' | paste -sd, -)
            [ -n "$skus" ] || { echo "order lists no product (GET /api/products)" >&2; exit 1; }
            if [ "$SMOKE" = 0 ]; then
                wrk_checkout "checkout-wrk$suffix-warmup" "http://127.0.0.1:$ORDER_PORT" "$WRK_DIR/checkout-users.txt" \
                    "$skus" 5 "$WRK_CHECKOUT_CONNECTIONS" "$LOG_DIR/checkout-wrk$suffix-warmup.json"
            fi
            # PostgreSQL's counters reach pg_stat_database within a second of the load stopping.
            sleep 2
            pg_snapshot
            wrk_checkout "checkout-wrk$suffix" "http://127.0.0.1:$ORDER_PORT" "$WRK_DIR/checkout-users.txt" "$skus" \
                "$WRK_CHECKOUT_SECONDS" "$WRK_CHECKOUT_CONNECTIONS" "$RUN_DIR/checkout-wrk$suffix.json" \
                "user=$o_user" "order=$o_order" "payment=$o_payment"
            sleep 2
            pg_delta "$RUN_DIR/checkout-wrk$suffix-pg.json"
            rm -f "$WRK_DIR/checkout-users.txt"
            loadgen rss --watch "$watch" --out "$RUN_DIR/order-$variant-rss-after.json"
            stop_started "$o_order"
            stop_started "$o_payment"
            stop_started "$o_user"
            stop_started "$SINK_PID"
            JAVA_OPTS=$saved_java_opts
        done
    else
        say "3. checkout: skipped, services/order or services/payment is not built"
    fi
fi

# --- 4. Start-up: plain, AppCDS, AOT cache ---------------------------------------------------------------------
# startup_of SERVER PORT JAR TRAIN_OPTIONS... : a training run for AppCDS and one for the AOT cache (each under
# load, so request-path classes are in the archive too), then STARTUP_RUNS timed starts per mode.
# The training load runs long enough for the request path's methods to be profiled as well (JEP 515 keeps
# those profiles in the AOT cache, so the JIT compiles them early in a production run instead of
# profiling first): about a thousand requests, where the harness's default (3 s at 50/s) gave 150.
if [ "$SMOKE" = 1 ]; then
    STARTUP_TRAIN_LOAD=()
else
    STARTUP_TRAIN_LOAD=(--train-rate 100 --train-duration 10s)
fi
startup_of() {
    local server=$1 port=$2 jar=$3
    shift 3
    local train=("$@" "${STARTUP_TRAIN_LOAD[@]}")
    local ready="http://127.0.0.1:$port/observe/health/ready"
    local env_args=(--env "SERVER_PORT=$port" --env SHUTDOWN_DRAIN=PT0S)
    local kv
    for kv in "${JVM_ENV[@]}" ${SERVICE_ENV:-}; do
        env_args+=(--env "$kv")
    done
    port_free "$port" || { echo "port $port is taken" >&2; exit 1; }
    rm -f "$ARCHIVE_DIR/$server.jsa" "$ARCHIVE_DIR/$server.aot"
    loadgen startup --name "$server" --mode appcds-training --ready-url "$ready" --runs 1 --discard 0 \
        --log "$LOG_DIR/startup-$server.log" "${env_args[@]}" "${train[@]}" \
        -- "$JAVA" $JAVA_OPTS -XX:ArchiveClassesAtExit="$ARCHIVE_DIR/$server.jsa" -jar "$jar"
    loadgen startup --name "$server" --mode aot-training --ready-url "$ready" --runs 1 --discard 0 \
        --log "$LOG_DIR/startup-$server.log" "${env_args[@]}" "${train[@]}" \
        -- "$JAVA" $JAVA_OPTS -XX:AOTCacheOutput="$ARCHIVE_DIR/$server.aot" -jar "$jar"
    [ -s "$ARCHIVE_DIR/$server.jsa" ] || { echo "no AppCDS archive for $server" >&2; exit 1; }
    [ -s "$ARCHIVE_DIR/$server.aot" ] || { echo "no AOT cache for $server" >&2; exit 1; }
    local mode
    for mode in plain appcds aot; do
        local mode_opts=()
        # -Xshare:on and -XX:AOTMode=on make an unusable archive an error instead of a silent plain start.
        case $mode in
            appcds) mode_opts=(-Xshare:on -XX:SharedArchiveFile="$ARCHIVE_DIR/$server.jsa") ;;
            aot) mode_opts=(-XX:AOTMode=on -XX:AOTCache="$ARCHIVE_DIR/$server.aot") ;;
        esac
        loadgen startup --name "$server" --mode "$mode" --ready-url "$ready" --runs "$STARTUP_RUNS" \
            --discard "$STARTUP_DISCARD" --settle 1s --log "$LOG_DIR/startup-$server.log" "${env_args[@]}" \
            --out "$RUN_DIR/startup-$server-$mode.json" \
            -- "$JAVA" $JAVA_OPTS "${mode_opts[@]}" -jar "$jar"
    done
}

if phase startup; then
    say "4. Start-up to ready: plain, AppCDS, AOT cache ($STARTUP_RUNS timed runs each)"
    start_sink "$LOG_DIR/startup-sink.json"
    SERVICE_ENV="" startup_of ceiling "$CEILING_PORT" "$CEILING_JAR" \
        --train-scenario get --url "http://127.0.0.1:$CEILING_PORT"
    SERVICE_ENV="$(db_env user) $(user_auth_env) ${TRACING_ON[*]}" startup_of user "$USER_PORT" "$(jar_of user)" \
        --train-scenario read-user --url "http://127.0.0.1:$USER_PORT" --users 20
    # The smoke run times the ceiling and user only: enough to prove the three modes still work.
    if [ -f "$(jar_of payment)" ] && [ "$SMOKE" = 0 ]; then
        SERVICE_ENV="$(db_env payment) ${TRACING_ON[*]}" startup_of payment "$PAYMENT_PORT" "$(jar_of payment)" \
            --train-scenario get --url "http://127.0.0.1:$PAYMENT_PORT" \
            --path "/api/payments?orderId=00000000-0000-4000-8000-000000000001"
    fi
    if [ "$HAVE_ORDER" = 1 ] && [ "$SMOKE" = 0 ]; then
        # Order's training places orders, so user and payment run beside it on their own ports.
        start_java startup-support-user "$SUPPORT_USER_PORT" "$(jar_of user)" $(db_env user) $(user_auth_env)
        s_user=$STARTED_PID
        start_java startup-support-payment "$SUPPORT_PAYMENT_PORT" "$(jar_of payment)" $(db_env payment)
        s_payment=$STARTED_PID
        SERVICE_ENV="$(db_env order) $(order_auth_env "$SUPPORT_USER_PORT") ${TRACING_ON[*]} USER_SERVICE_URL=http://127.0.0.1:$SUPPORT_USER_PORT PAYMENT_SERVICE_URL=http://127.0.0.1:$SUPPORT_PAYMENT_PORT" \
            startup_of order "$ORDER_PORT" "$(jar_of order)" \
            --train-scenario checkout --user-url "http://127.0.0.1:$SUPPORT_USER_PORT" \
            --order-url "http://127.0.0.1:$ORDER_PORT" --users 20
        stop_started "$s_payment"
        stop_started "$s_user"
    fi
    stop_started "$SINK_PID"
fi

# --- Report ----------------------------------------------------------------------------------------------------
loadgen env --out "$RUN_DIR/env-end.json" --command "$COMMAND" --git "$GIT" --jvm-options "$JAVA_OPTS"
loadgen report --dir "$RUN_DIR" --out-md "$RUN_DIR/report.md"
[ -s "$RUN_DIR/report.md" ] || { echo "no report written" >&2; exit 1; }
if [ "$SMOKE" = 0 ] && [ "$PHASES" = "ceiling user order startup" ]; then
    cp "$RUN_DIR/report.md" bench/results/latest.md
    echo "Table for README: bench/results/latest.md (raw JSON: ${RUN_DIR#$ROOT/})"
elif [ "$SMOKE" = 0 ]; then
    # A run of some phases only is kept in its folder; latest.md stays the last complete run.
    echo "Partial run (phases: $PHASES): ${RUN_DIR#$ROOT/}/report.md; bench/results/latest.md left as it was"
else
    echo "Smoke run passed: every tool ran and every step had successful requests (${RUN_DIR#$ROOT/})."
fi
cat "$RUN_DIR/report.md"

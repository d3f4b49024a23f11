#!/usr/bin/env bash
# Runs the whole system on this machine on embedded H2 databases (files under ./data/, kept across runs):
# builds the services, starts user, payment and order on ports 8081, 8083 and 8082 with order wired to the
# other two, and the storefront (the web shop) on 8080, which forwards /api/... to user and order as the
# ingress does in the cluster; prints where to call them, and stops all of them on Ctrl-C. The user service
# signs customers' tokens with a development key that it creates on first start in
# ./data/user-signing-keys.json (never committed; a cluster gets its key from a Secret).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-env.sh

echo "Building (mvn -q package -DskipTests) with $JAVA_HOME ..."
mvn -B -q package -DskipTests

mkdir -p data logs
pids=()
stop_all() {
    trap - INT TERM EXIT
    echo
    echo "Stopping ${pids[*]:-nothing} ..."
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
# Ctrl-C or a kill ends the script after stopping the services, whenever it comes: a handler that returned
# would let a signal that arrived during the build or the start-up go on to start services nobody stops.
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

# JDK 25's AOT cache (JEP 483/514/515) starts a service in about half the time of a plain JVM. Its cache
# records a training run: the first run of a jar writes services/NAME/target/NAME.aot when it stops (Ctrl-C),
# with the classes and method profiles of the start-up and of whatever was called meanwhile; later runs use it.
# A jar rebuilt since then gets a new cache (the JVM would not use the old one). Before JDK 25 there is no AOT
# cache and the services start as plain JVMs. MESHSHOP_AOT=off turns it off.
aot_ready=0
aot_created=()
if [ "${MESHSHOP_AOT:-on}" != off ] && [ "$(meshshop_java_major "$JAVA_HOME")" -ge 25 ] 2>/dev/null; then
    aot_ready=1
fi
# Prints the JVM option for JAR's cache: use it, or (none yet, or older than the jar) write it at exit.
aot_options() {
    local jar=$1 aot=${1%.jar}.aot
    [ "$aot_ready" = 1 ] || return 0
    if [ -s "$aot" ] && [ "$aot" -nt "$jar" ]; then
        echo "-XX:AOTCache=$aot"
    else
        rm -f "$aot"
        echo "-XX:AOTCacheOutput=$aot"
    fi
}

# name:port pairs; order after the two it calls, the storefront last (it forwards to user and order).
services=(user:8081 payment:8083 order:8082 storefront:8080)
# Settings of one service only. The storefront forwards the API to the local services: in the cluster the
# ingress routes /api/... to them and / to the storefront, so page and API share one origin either way.
service_env() {
    case $1 in
        storefront) echo FORWARD_ENABLED=true FORWARD_USER_URL=http://localhost:8081 FORWARD_ORDER_URL=http://localhost:8082 ;;
    esac
}
for entry in "${services[@]}"; do
    name=${entry%%:*}
    port=${entry##*:}
    jar="services/$name/target/$name.jar"
    [ -f "$jar" ] || continue
    aot=$(aot_options "$jar")
    [[ "$aot" == *AOTCacheOutput* ]] && aot_created+=("${jar%.jar}.aot")
    # The access log is off in application.yaml (the mesh's sidecars log every request); a local run has none.
    SERVER_PORT=$port \
    DB_URL="jdbc:h2:file:./data/$name;DB_CLOSE_ON_EXIT=FALSE" \
    USER_SERVICE_URL=http://localhost:8081 \
    PAYMENT_SERVICE_URL=http://localhost:8083 \
    ACCESS_dash_LOG_ENABLED=true \
    AUTH_SIGNING_KEYS=./data/user-signing-keys.json \
    AUTH_GENERATE_SIGNING_KEYS=true \
        env $(service_env "$name") "$JAVA_HOME/bin/java" ${MESHSHOP_JAVA_OPTS:-} $aot -jar "$jar" > "logs/$name.log" 2>&1 &
    pids+=("$!")
done

# Wait for readiness without forking a curl per poll: bash's /dev/tcp is enough for a GET.
# A subshell, so that a refused connection fails this function and not the script.
ready() (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /observe/health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
    read -r _ status _ <&3 || exit 1
    [ "$status" = "200" ]
) 2>/dev/null
for entry in "${services[@]}"; do
    name=${entry%%:*}; port=${entry##*:}
    [ -f "services/$name/target/$name.jar" ] || continue
    for _ in $(seq 1 300); do
        ready "$port" && break
        sleep 0.1
    done
    if ! ready "$port"; then
        echo "$name did not become ready; see logs/$name.log" >&2
        exit 1
    fi
    printf '  %-10s http://localhost:%s   (log: logs/%s.log)\n' "$name" "$port" "$name"
done
cat <<EOT

meshshop is running on H2 (data in ./data). Shop in a browser: http://localhost:8080/
Or try the API:
  curl -s localhost:8081/api/users -H 'Content-Type: application/json' -H 'Idempotency-Key: signup-1' \
    -d '{"name":"Ada","email":"ada@example.com","password":"correct horse battery staple"}'
  curl -s localhost:8081/api/sessions -H 'Content-Type: application/json' \
    -d '{"email":"ada@example.com","password":"correct horse battery staple"}'
(README's walk-through goes on from there with the token.)
Health: /observe/health/ready   Metrics: /observe/metrics   OpenAPI: /openapi
Press Ctrl-C to stop all services.
EOT
if [ "${#aot_created[@]}" -gt 0 ]; then
    echo "First run of these jars on JDK 25: their AOT caches are written when you stop them (a few seconds)."
fi
wait

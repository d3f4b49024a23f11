#!/usr/bin/env bash
# Builds the four service images and the consistency checker's (reliability/Dockerfile) with podman from
# their Dockerfiles, on base images assembled on this machine (no container registry is reachable here),
# runs each service as the pods run it (read-only root filesystem, UID 10001, the JVM options of
# k8s/base/runtime.env) and passes a smoke through them: all four ready, then sign-up, sign-in and one order
# paid, through the storefront's forwarding as a browser would. The checker is started the same way without
# databases, and must answer with its usage error (exit status 2), not a JVM failure.
#
#   scripts/images.sh            # everything; run as root (rootful podman) on Debian bookworm
#   scripts/images.sh reliability      # only the named images (user order payment storefront reliability);
#                                      # the services' smoke runs when all four are named
#   KEEP_RUNNING=1 scripts/images.sh   # leave the containers running after the smoke
#
# Needs: apt-get install -y podman buildah runc mmdebstrap curl; network to Debian's mirror (the host's
# apt source) and Maven Central. Idempotent: the bases are rebuilt only when missing (MESHSHOP_REBASE=1
# forces it), the images always (podman's layer cache makes an unchanged one quick), and the containers
# are removed on exit.
#
# Why these podman options: crun refuses this kernel's hybrid cgroup mode, runc works; host networking
# needs no slirp/CNI set-up; explicit --ulimit values (no higher than
# the calling shell's hard limits) because the defaults podman derives here are refused.
set -euo pipefail
cd "$(dirname "$0")/.."

JDK=${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
WORK=${WORK:-/var/tmp/meshshop-images}
BUILD_BASE=localhost/meshshop-base-jdk25-build
RUNTIME_BASE=localhost/meshshop-base-jdk25-runtime
TAG=${TAG:-local}
MAVEN_VERSION=3.9.9
MAVEN_SHA512=a555254d6b53d267965a3404ecb14e53c3827c09c3b94b5678835887ab404556bfaf78dcfe03ba76fa2508649dca8531c74bca4d5846513522404d48e8c4ac8b
PODMAN=(podman --runtime runc)
# runc cannot raise a limit above what it was given ("error setting rlimit type 7" for nofile above this
# shell's hard limit; "type 6" for nproc at this shell's 96369, though 32768 works): the open-file limit is
# the hard one, capped at 65536; 4096 processes (threads) are far more than a service with virtual threads uses.
NOFILE=$(ulimit -Hn); [ "$NOFILE" = unlimited ] || [ "$NOFILE" -gt 65536 ] && NOFILE=65536
NPROC=4096
ULIMITS=(--ulimit "nofile=$NOFILE:$NOFILE" --ulimit "nproc=$NPROC:$NPROC")
# Ports on the host network, away from scripts/run-local.sh's 8080-8083.
declare -A PORT=([user]=18181 [order]=18182 [payment]=18183 [storefront]=18180)
SERVICES=(user order payment storefront)
IMAGES=("$@")
[ ${#IMAGES[@]} -gt 0 ] || IMAGES=("${SERVICES[@]}" reliability)
wanted() { local i; for i in "${IMAGES[@]}"; do [ "$i" = "$1" ] && return 0; done; return 1; }
for i in "${IMAGES[@]}"; do
    case $i in user|order|payment|storefront|reliability) ;; *) echo "no image $i" >&2; exit 2 ;; esac
done

started=$(date +%s)
step() { printf '[%4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

cleanup() {
    [ "${KEEP_RUNNING:-0}" = 1 ] && return 0
    for s in "${SERVICES[@]}"; do "${PODMAN[@]}" rm -f -t 5 "meshshop-$s" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# --- 1. Base images: Debian minbase from the host's apt source, plus this machine's JDK 25. ------------------
# build: the JDK, Maven and busybox at /busybox (the distroless debug variant's layout, which the training
# stages' SHELL uses). runtime: the same JDK build at the same path (the AOT cache is only used by the JVM
# that wrote it), with no shell, no busybox and no Maven.
make_bases() {
    mkdir -p "$WORK"
    local rootfs=$WORK/rootfs
    if [ ! -s "$WORK/rootfs.tar" ]; then
        step "mmdebstrap --variant=minbase $SUITE from $MIRROR"
        # --format=tar: mmdebstrap guesses the format from the name, and ".part" would make it a directory.
        mmdebstrap --quiet --format=tar --variant=minbase --include=busybox,ca-certificates "$SUITE" "$WORK/rootfs.tar.part" "$MIRROR"
        mv "$WORK/rootfs.tar.part" "$WORK/rootfs.tar"
    fi
    if [ ! -s "$WORK/apache-maven-$MAVEN_VERSION-bin.tar.gz" ]; then
        curl -sfSL -o "$WORK/maven.part" \
            "https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$MAVEN_VERSION/apache-maven-$MAVEN_VERSION-bin.tar.gz"
        mv "$WORK/maven.part" "$WORK/apache-maven-$MAVEN_VERSION-bin.tar.gz"
    fi
    echo "$MAVEN_SHA512  $WORK/apache-maven-$MAVEN_VERSION-bin.tar.gz" | sha512sum -c --quiet

    rm -rf "$rootfs" && mkdir -p "$rootfs"
    tar -C "$rootfs" -xf "$WORK/rootfs.tar"
    mkdir -p "$rootfs/usr/lib/jvm"
    cp -a "$JDK" "$rootfs/usr/lib/jvm/"
    # The host JDK's links out of its own tree (Debian's cacerts, /etc/ssl/certs/java/cacerts) would dangle
    # in the image: copy what they point at instead. Maven needs the trust store to reach Maven Central.
    find "$rootfs$JDK" -type l -lname '/*' | while read -r link; do
        cp --remove-destination -L "${link#"$rootfs"}" "$link"
    done
    ln -sf "$JDK/bin/java" "$rootfs/usr/bin/java"
    rm -rf "$rootfs/var/cache/apt"/* "$rootfs/var/lib/apt/lists"/*
    local env_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

    step "import $RUNTIME_BASE (no shell)"
    local runtime=$WORK/runtime
    rm -rf "$runtime" && cp -a "$rootfs" "$runtime"
    # Nothing in the runtime image can start a shell: no sh, bash, dash or busybox, no package manager.
    rm -f "$runtime"/bin/{sh,bash,dash,busybox,rbash} "$runtime"/usr/bin/{sh,bash,dash,busybox,rbash}
    rm -rf "$runtime"/usr/bin/{apt,apt-get,dpkg}* "$runtime/var/lib/dpkg"
    tar -C "$runtime" -c . | "${PODMAN[@]}" import --quiet \
        --change "ENV PATH=$env_path" --change "ENV JAVA_HOME=$JDK" --change "USER 10001:10001" \
        - "$RUNTIME_BASE:$TAG" >/dev/null

    step "import $BUILD_BASE (JDK, Maven $MAVEN_VERSION, /busybox)"
    tar -C "$rootfs/opt" -xzf "$WORK/apache-maven-$MAVEN_VERSION-bin.tar.gz"
    ln -sf "/opt/apache-maven-$MAVEN_VERSION/bin/mvn" "$rootfs/usr/bin/mvn"
    mkdir -p "$rootfs/busybox"
    chroot "$rootfs" /bin/busybox --install -s /busybox
    ln -sf /bin/busybox "$rootfs/busybox/sh"
    tar -C "$rootfs" -c . | "${PODMAN[@]}" import --quiet \
        --change "ENV PATH=$env_path:/busybox" --change "ENV JAVA_HOME=$JDK" \
        - "$BUILD_BASE:$TAG" >/dev/null
    rm -rf "$rootfs" "$runtime"
}
if [ "${MESHSHOP_REBASE:-0}" = 1 ] || ! "${PODMAN[@]}" image exists "$BUILD_BASE:$TAG" \
        || ! "${PODMAN[@]}" image exists "$RUNTIME_BASE:$TAG"; then
    make_bases
fi

# --- 2. The images, from their unchanged Dockerfiles, with the bases as build arguments. -----------------------
# --format docker: the OCI format has no SHELL, and podman would run the training stages' RUN with /bin/sh,
# which the distroless debug image lacks (it has /busybox/sh). --network host: the Maven stage downloads dependencies from Maven Central into its cache mount (kept
# between builds) and the training stage talks to the service on 127.0.0.1.
for s in "${SERVICES[@]}"; do
    wanted "$s" || continue
    step "podman build services/$s/Dockerfile -> localhost/meshshop/$s:$TAG"
    "${PODMAN[@]}" build --quiet --format docker --network host "${ULIMITS[@]}" \
        --build-arg BUILD_IMAGE="$BUILD_BASE:$TAG" \
        --build-arg TRAIN_IMAGE="$BUILD_BASE:$TAG" \
        --build-arg RUNTIME_IMAGE="$RUNTIME_BASE:$TAG" \
        -f "services/$s/Dockerfile" -t "localhost/meshshop/$s:$TAG" . >/dev/null
done
# The checker has no training stage, so no TRAIN_IMAGE.
if wanted reliability; then
    step "podman build reliability/Dockerfile -> localhost/meshshop/reliability:$TAG"
    "${PODMAN[@]}" build --quiet --format docker --network host "${ULIMITS[@]}" \
        --build-arg BUILD_IMAGE="$BUILD_BASE:$TAG" \
        --build-arg RUNTIME_IMAGE="$RUNTIME_BASE:$TAG" \
        -f reliability/Dockerfile -t "localhost/meshshop/reliability:$TAG" . >/dev/null
    # As the Job runs it (read-only, UID 10001, no capabilities), without databases: the JVM and the jar
    # start and the checker asks for its databases (exit status 2). Checking real databases needs PostgreSQL:
    # docs/scenarios.md runs it in the cluster.
    set +e
    answer=$("${PODMAN[@]}" run --rm --read-only --user 10001:10001 --network host "${ULIMITS[@]}" \
        --tmpfs /tmp:rw,size=16m,mode=1777 --cap-drop ALL --security-opt no-new-privileges \
        "localhost/meshshop/reliability:$TAG" 2>&1)
    status=$?
    set -e
    if [ "$status" != 2 ] || ! grep -q -- '--order-db' <<<"$answer"; then
        echo "FAILED: the checker image answered $status: $answer" >&2
        exit 1
    fi
    step "reliability image starts read-only and asks for its databases"
fi
for s in "${SERVICES[@]}"; do
    wanted "$s" || { step "not all four services built: no run, no smoke"; exit 0; }
done

# --- 3. Run them as the pods do. -------------------------------------------------------------------------------
# The user service's signing keys, made by the service's own tool, mounted read-only as the Secret is.
cleanup
keys=$WORK/user-signing-keys.json
if [ ! -s "$keys" ]; then
    "${PODMAN[@]}" run --rm --network host "${ULIMITS[@]}" --user 0:0 -v "$WORK:/out" --entrypoint /usr/bin/java \
        "localhost/meshshop/user:$TAG" -cp /app/user.jar io.meshshop.user.auth.SigningKeyTool new /out/user-signing-keys.json >/dev/null
fi
chmod 0444 "$keys"

runtime_env() { grep -E '^(JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|MALLOC_ARENA_MAX)=' k8s/base/runtime.env; }
service_env() {
    local s=$1
    echo "SERVER_PORT=${PORT[$s]}"
    echo "SHUTDOWN_DRAIN=PT0S"
    case $s in
        user) echo "DB_URL=jdbc:h2:mem:user;DB_CLOSE_DELAY=-1"
              echo "AUTH_SIGNING_KEYS=/etc/meshshop/signing-keys.json" ;;
        order) echo "DB_URL=jdbc:h2:mem:order;DB_CLOSE_DELAY=-1"
               echo "USER_SERVICE_URL=http://127.0.0.1:${PORT[user]}"
               echo "PAYMENT_SERVICE_URL=http://127.0.0.1:${PORT[payment]}"
               echo "AUTH_JWKS_URL=http://127.0.0.1:${PORT[user]}/.well-known/jwks.json" ;;
        payment) echo "DB_URL=jdbc:h2:mem:payment;DB_CLOSE_DELAY=-1" ;;
        storefront) echo "FORWARD_ENABLED=true"
                    echo "FORWARD_USER_URL=http://127.0.0.1:${PORT[user]}"
                    echo "FORWARD_ORDER_URL=http://127.0.0.1:${PORT[order]}" ;;
    esac
}
for s in "${SERVICES[@]}"; do
    step "podman run meshshop-$s on 127.0.0.1:${PORT[$s]} (read-only, UID 10001)"
    env_file=$WORK/$s.env
    { runtime_env; service_env "$s"; } > "$env_file"
    mounts=()
    [ "$s" = user ] && mounts=(-v "$keys:/etc/meshshop/signing-keys.json:ro")
    "${PODMAN[@]}" run -d --name "meshshop-$s" --read-only --user 10001:10001 --network host "${ULIMITS[@]}" \
        --tmpfs /tmp:rw,size=64m,mode=1777 --cap-drop ALL --security-opt no-new-privileges \
        --env-file "$env_file" "${mounts[@]}" "localhost/meshshop/$s:$TAG" >/dev/null
done

# --- 4. Smoke. ---------------------------------------------------------------------------------------------------
fail() { echo "FAILED: $*" >&2; for s in "${SERVICES[@]}"; do echo "--- $s log:" >&2; "${PODMAN[@]}" logs --tail 30 "meshshop-$s" >&2 || true; done; exit 1; }
for s in "${SERVICES[@]}"; do
    for _ in $(seq 1 600); do
        curl -sf -o /dev/null "http://127.0.0.1:${PORT[$s]}/observe/health/ready" && break
        [ "$("${PODMAN[@]}" inspect -f '{{.State.Running}}' "meshshop-$s")" = true ] || fail "$s exited"
        sleep 0.1
    done
    curl -sf -o /dev/null "http://127.0.0.1:${PORT[$s]}/observe/health/ready" || fail "$s not ready"
    # The image's AOT cache fits its JVM and the pods' options: with -XX:AOTMode=on a JVM refuses to start
    # ("Unable to use AOT cache") where the service's own (mode auto) would silently start without it.
    "${PODMAN[@]}" exec "meshshop-$s" /usr/bin/java "-XX:AOTCache=/app/$s.aot" -XX:AOTMode=on \
        -cp "/app/$s.jar" -version >/dev/null 2>&1 || fail "$s's AOT cache is not usable with the pods' JVM options"
    step "$s ready"
done

front=http://127.0.0.1:${PORT[storefront]}
curl -sf -o /dev/null "$front/" || fail "storefront page"
email="smoke-$(date +%s)-$$@example.com"
password="images smoke password $$"
curl -sf -o /dev/null "$front/api/users" -H 'Content-Type: application/json' -H "Idempotency-Key: smoke-user-$$-$(date +%s)" \
    -d "{\"name\":\"Image Smoke\",\"email\":\"$email\",\"password\":\"$password\"}" || fail "sign-up"
token=$(curl -sf "$front/api/sessions" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "sign-in gave no token"
order=$(curl -sf "$front/api/orders" -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
    -H "Idempotency-Key: smoke-order-$$-$(date +%s)" -d '{"items":[{"sku":"MESH-MUG","quantity":1}]}') || fail "placing an order"
echo "$order" | grep -q '"status":"PAID"' || fail "order not PAID: $order"
step "smoke passed: signed up, signed in, order PAID through storefront -> user, order -> payment"
"${PODMAN[@]}" ps --filter name=meshshop- --format '{{.Names}} {{.Image}} {{.Status}}'

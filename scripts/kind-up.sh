#!/usr/bin/env bash
# NOT RUN HERE: this script was written on a machine with no Docker engine and no cluster.
# It is checked there only with `bash -n`, shellcheck and the manifest-tests module (which
# renders and checks everything it applies). Run it where Docker works.
#
# Brings up meshshop on a local kind cluster, end to end:
#   1. a kind cluster                       4. the three service images, built and loaded
#   2. Istio with the CNI plugin, proxies   5. the token-signing keys (a Secret, generated once),
#      fetching the token-signing keys         then k8s/overlays/dev, then mesh/
#   3. Prometheus, Grafana, Jaeger, Kiali   6. a smoke checkout through the ingress gateway,
#                                              signed in with a customer token
#
# Needs: docker, kind, kubectl, curl, jq, and a JDK 21+ with Maven (the signing keys are made by
# the user service's own tool, from its jar). Downloads Istio ISTIO_VERSION (istioctl and its
# addon manifests) into ~/.cache/meshshop on first use.
# Usage: scripts/kind-up.sh            (again to rebuild and redeploy; the cluster is kept)
#        scripts/kind-down.sh          (deletes the cluster)
set -euo pipefail

CLUSTER="${CLUSTER:-meshshop}"
ISTIO_VERSION="${ISTIO_VERSION:-1.27.3}"
# k8s/overlays/dev runs the images with this tag; a tag other than latest keeps the pull
# policy at IfNotPresent, so the kubelet uses the images loaded into kind.
TAG=dev
SERVICES=(user order payment)
LOCAL_PORT="${LOCAL_PORT:-8080}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '\n== %s\n' "$*"; }
die() { printf 'kind-up: %s\n' "$*" >&2; exit 1; }

for tool in docker kind kubectl curl jq mvn; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info failed)"
# A JDK 21+ as JAVA_HOME and first on PATH (exits with a message when there is none).
# shellcheck disable=SC1091  # a file of this repository, read from the root (cd "$ROOT" above)
. scripts/java-env.sh

# Removed on any exit: the generated private keys' scratch directory and the port-forward.
KEYS_DIR=""
FORWARD_PID=""
cleanup() {
  if [[ -n "$KEYS_DIR" ]]; then rm -rf "$KEYS_DIR"; fi
  if [[ -n "$FORWARD_PID" ]]; then kill "$FORWARD_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

# istioctl and the addon manifests (samples/addons) come from the Istio release, kept in a
# cache outside the repository.
ISTIO_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/meshshop"
ISTIO_HOME="$ISTIO_CACHE/istio-$ISTIO_VERSION"
if [[ ! -x "$ISTIO_HOME/bin/istioctl" ]]; then
  log "Downloading Istio $ISTIO_VERSION into $ISTIO_CACHE"
  mkdir -p "$ISTIO_CACHE"
  (cd "$ISTIO_CACHE" && curl -fsSL https://istio.io/downloadIstio | ISTIO_VERSION="$ISTIO_VERSION" sh -)
fi
ISTIOCTL="$ISTIO_HOME/bin/istioctl"

log "1. kind cluster $CLUSTER"
if kind get clusters | grep -qx "$CLUSTER"; then
  echo "exists"
else
  kind create cluster --name "$CLUSTER" --wait 120s
fi
kubectl config use-context "kind-$CLUSTER"

log "2. Istio $ISTIO_VERSION with the CNI plugin (Pod Security restricted forbids istio-init)"
# The overlay makes the proxies fetch the token-signing keys themselves, over mTLS: istiod, outside
# the mesh, cannot reach user under STRICT mTLS (docs/deploy.md, "Customer tokens at the mesh").
"$ISTIOCTL" install -y -f mesh/install/istio-cni-and-tracing.yaml -f mesh/install/jwks-fetched-by-proxies.yaml
kubectl -n istio-system rollout status daemonset/istio-cni-node --timeout=180s
kubectl -n istio-system rollout status deployment/istiod --timeout=180s
kubectl -n istio-system rollout status deployment/istio-ingressgateway --timeout=180s

log "3. Addons: Prometheus, Grafana, Jaeger, Kiali"
for addon in prometheus grafana jaeger kiali; do
  kubectl apply -f "$ISTIO_HOME/samples/addons/$addon.yaml"
done
for addon in prometheus grafana jaeger kiali; do
  kubectl -n istio-system rollout status "deployment/$addon" --timeout=300s
done

log "4. Images meshshop/<service>:$TAG, built and loaded into kind"
for service in "${SERVICES[@]}"; do
  docker build -f "services/$service/Dockerfile" -t "meshshop/$service:$TAG" .
  kind load docker-image "meshshop/$service:$TAG" --name "$CLUSTER"
done

log "5. Signing keys, workloads (k8s/overlays/dev), then the mesh resources (mesh/)"
# The namespace first, so that the Secret below has a home before the user pods look for it.
kubectl apply -f k8s/base/namespace.yaml
# The keys that sign customer tokens: a Secret that no manifest contains, so that no private key
# is ever committed. Made once per cluster by the user service's own tool and kept on later runs
# (new keys would make every token issued so far invalid). Rotation: docs/deploy.md.
if kubectl -n meshshop get secret user-signing-keys >/dev/null 2>&1; then
  echo "Secret user-signing-keys exists: kept"
else
  mvn -B -q -pl services/user -am package -DskipTests
  KEYS_DIR="$(mktemp -d)"
  java -cp services/user/target/user.jar io.meshshop.user.auth.SigningKeyTool new "$KEYS_DIR/jwks.json"
  kubectl -n meshshop create secret generic user-signing-keys --from-file=jwks.json="$KEYS_DIR/jwks.json"
  rm -rf "$KEYS_DIR"
  KEYS_DIR=""
fi
kubectl apply -k k8s/overlays/dev
for service in "${SERVICES[@]}"; do
  kubectl -n meshshop rollout status "statefulset/$service-db" --timeout=300s
done
kubectl apply -k mesh/
for service in "${SERVICES[@]}"; do
  # A rollout restart picks up a rebuilt image with the same tag on a second run.
  kubectl -n meshshop rollout restart "deployment/$service"
  kubectl -n meshshop rollout status "deployment/$service" --timeout=300s
done

log "6. Smoke checkout through the ingress gateway (port-forward to localhost:$LOCAL_PORT)"
kubectl -n istio-system port-forward svc/istio-ingressgateway "$LOCAL_PORT:80" >/dev/null &
FORWARD_PID=$!
BASE="http://localhost:$LOCAL_PORT"
for _ in $(seq 1 30); do
  curl -fsS -o /dev/null "$BASE/api/products" 2>/dev/null && break
  sleep 1
done

# Every write carries an Idempotency-Key, as the mesh's retries assume.
key() { printf 'kind-up-%s-%s' "$1" "$(date +%s%N)"; }
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# Register and sign in (both open). The password follows the contract: at least 15 characters.
email="smoke-$(date +%s%N)@example.com"
password="kind-up smoke run $(date +%s%N)"
user_id="$(curl -fsS -X POST "$BASE/api/users" \
  -H 'Content-Type: application/json' -H "Idempotency-Key: $(key user)" \
  -d "$(jq -n --arg email "$email" --arg password "$password" '{name: "Kind Smoke", email: $email, password: $password}')" \
  | jq -r '.id')"
echo "user    $user_id"
token="$(curl -fsS -X POST "$BASE/api/sessions" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg email "$email" --arg password "$password" '{email: $email, password: $password}')" \
  | jq -r '.accessToken')"
[[ -n "$token" && "$token" != null ]] || die "POST /api/sessions gave no access token"
auth=(-H "Authorization: Bearer $token")
echo "signed in (the token is not shown)"
curl -fsS "${auth[@]}" "$BASE/api/users/me" | jq -r '"me      " + .id'

sku="$(curl -fsS "$BASE/api/products" | jq -r '.items[0].sku')"
[[ -n "$sku" && "$sku" != null ]] || die "no product to order"
echo "product $sku"

# A customer's own routes need a customer: without a token order's proxy refuses (403, RBAC).
status="$(status_of "$BASE/api/orders")"
[[ "$status" == 403 ]] || die "GET /api/orders without a token answered $status, expected 403 from the mesh"
echo "orders without a token: 403 from the mesh"

# Placement, as in services/order/src/main/resources/META-INF/openapi.yaml: the order is the caller's.
order_id="$(curl -fsS -X POST "$BASE/api/orders" "${auth[@]}" \
  -H 'Content-Type: application/json' -H "Idempotency-Key: $(key order)" \
  -d "{\"items\":[{\"sku\":\"$sku\",\"quantity\":1}]}" | jq -r '.id')"
echo "order   $order_id"
curl -fsS "${auth[@]}" "$BASE/api/orders/$order_id" | jq .

# Not routed at the ingress: payment (internal) and the list of users (admins only, in the cluster).
for path in /api/payments /api/users; do
  status="$(status_of "${auth[@]}" "$BASE$path")"
  [[ "$status" == 404 ]] || die "GET $path through the ingress answered $status, expected 404"
  echo "GET $path not exposed at the ingress (404)"
done

log "Done. Dashboards (each blocks; run in its own terminal):"
echo "  $ISTIOCTL dashboard kiali     # graph: namespace meshshop"
echo "  $ISTIOCTL dashboard jaeger    # traces: service istio-ingressgateway.istio-system or order.meshshop"
echo "  $ISTIOCTL dashboard grafana   # Istio Service / Workload dashboards"
echo "  kubectl -n istio-system port-forward svc/istio-ingressgateway $LOCAL_PORT:80   # the API"

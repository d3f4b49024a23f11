#!/usr/bin/env bash
# NOT RUN HERE: this script was written on a machine with no Docker engine and no cluster.
# It is checked there only with `bash -n`, shellcheck and the manifest-tests module (which
# renders and checks everything it applies). Run it where Docker works.
#
# Brings up meshshop on a local kind cluster, end to end:
#   1. a kind cluster                       4. the three service images, built and loaded
#   2. Istio with the CNI plugin            5. k8s/overlays/dev, then mesh/
#   3. Prometheus, Grafana, Jaeger, Kiali   6. a smoke checkout through the ingress gateway
#
# Needs: docker, kind, kubectl, curl, jq. Downloads Istio ISTIO_VERSION (istioctl and its
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

for tool in docker kind kubectl curl jq; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done
docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info failed)"

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
"$ISTIOCTL" install -y -f mesh/install/istio-cni-and-tracing.yaml
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

log "5. Workloads (k8s/overlays/dev), then the mesh resources (mesh/)"
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
trap 'kill "$FORWARD_PID" 2>/dev/null || true' EXIT
BASE="http://localhost:$LOCAL_PORT"
for _ in $(seq 1 30); do
  curl -fsS -o /dev/null "$BASE/api/products" 2>/dev/null && break
  sleep 1
done

# Every write carries an Idempotency-Key, as the mesh's retries assume.
key() { printf 'kind-up-%s-%s' "$1" "$(date +%s%N)"; }

user_id="$(curl -fsS -X POST "$BASE/api/users" \
  -H 'Content-Type: application/json' -H "Idempotency-Key: $(key user)" \
  -d "{\"name\":\"Kind Smoke\",\"email\":\"smoke-$(date +%s)@example.com\"}" | jq -r '.id')"
echo "user    $user_id"

sku="$(curl -fsS "$BASE/api/products" | jq -r '.items[0].sku')"
[[ -n "$sku" && "$sku" != null ]] || die "no product to order"
echo "product $sku"

# Placement, as in services/order/src/main/resources/META-INF/openapi.yaml.
order_id="$(curl -fsS -X POST "$BASE/api/orders" \
  -H 'Content-Type: application/json' -H "Idempotency-Key: $(key order)" \
  -d "{\"userId\":\"$user_id\",\"items\":[{\"sku\":\"$sku\",\"quantity\":1}]}" | jq -r '.id')"
echo "order   $order_id"
curl -fsS "$BASE/api/orders/$order_id" | jq .

# payment is internal: the ingress has no route to it.
status="$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/payments")"
[[ "$status" == 404 ]] || die "GET /api/payments through the ingress answered $status, expected 404"
echo "payment not exposed at the ingress (404)"

log "Done. Dashboards (each blocks; run in its own terminal):"
echo "  $ISTIOCTL dashboard kiali     # graph: namespace meshshop"
echo "  $ISTIOCTL dashboard jaeger    # traces: service istio-ingressgateway.istio-system or order.meshshop"
echo "  $ISTIOCTL dashboard grafana   # Istio Service / Workload dashboards"
echo "  kubectl -n istio-system port-forward svc/istio-ingressgateway $LOCAL_PORT:80   # the API"

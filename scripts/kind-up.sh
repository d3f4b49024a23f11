#!/usr/bin/env bash
# NOT RUN HERE: this script was written on a machine with no Docker engine and no cluster.
# It is checked there only with `bash -n`, shellcheck and the manifest-tests module (which
# renders and checks everything it applies). Run it where Docker works.
#
# Brings up meshshop on a local kind cluster, end to end:
#   1. a kind cluster with a metrics server 4. the four service images, built and loaded
#      (so the autoscalers really scale)    5. the token-signing keys (a Secret, generated once),
#   2. Istio with the CNI plugin, proxies      then k8s/overlays/dev, then mesh/ (or its Gateway API
#      fetching the token-signing keys         variant, INGRESS=gateway-api)
#   3. Prometheus, Grafana, Jaeger, Kiali,  6. a smoke checkout through the ingress gateway,
#      with meshshop's observability/          signed in with a customer token
#
# Running it again changes nothing that is already as it should be: the cluster, Istio, the addons and
# the Secret are kept, the Grafana patch is applied once, and a service is restarted only when its
# image was rebuilt into something new.
#
# Needs: docker, kind, kubectl, curl, jq, and a JDK 21+ with Maven (the signing keys are made by
# the user service's own tool, from its jar). Downloads Istio ISTIO_VERSION (istioctl and its
# addon manifests) into ~/.cache/meshshop on first use.
# Usage: scripts/kind-up.sh            (again to rebuild and redeploy; the cluster is kept)
#        INGRESS=gateway-api scripts/kind-up.sh   (the Kubernetes Gateway API as the ingress)
#        scripts/kind-down.sh          (deletes the cluster)
set -euo pipefail

CLUSTER="${CLUSTER:-meshshop}"
ISTIO_VERSION="${ISTIO_VERSION:-1.27.3}"
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-v0.7.2}"
GATEWAY_API_VERSION="${GATEWAY_API_VERSION:-v1.3.0}"
# istio: Istio's Gateway and VirtualService (mesh/); gateway-api: the Kubernetes Gateway API
# (k8s/overlays/dev/mesh-gateway-api, which needs the Gateway API's experimental CRDs).
INGRESS="${INGRESS:-istio}"
case "$INGRESS" in
  istio)
    MESH_DIR=mesh
    GATEWAY_NAMESPACE=istio-system
    GATEWAY_SERVICE=istio-ingressgateway ;;
  gateway-api)
    MESH_DIR=k8s/overlays/dev/mesh-gateway-api
    GATEWAY_NAMESPACE=meshshop-ingress
    GATEWAY_SERVICE=meshshop-gateway-istio ;;
  *) printf 'kind-up: INGRESS must be istio or gateway-api, not %s\n' "$INGRESS" >&2; exit 1 ;;
esac
# k8s/overlays/dev runs the images with this tag; a tag other than latest keeps the pull
# policy at IfNotPresent, so the kubelet uses the images loaded into kind.
TAG=dev
SERVICES=(user order payment storefront)
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
# The autoscalers read the services' CPU from the metrics API; kind has no metrics server. Its kubelets
# serve self-signed certificates, which the metrics server must accept there (and only there).
kubectl apply -f "https://github.com/kubernetes-sigs/metrics-server/releases/download/$METRICS_SERVER_VERSION/components.yaml"
if ! kubectl -n kube-system get deployment metrics-server -o jsonpath='{.spec.template.spec.containers[0].args}' \
    | grep -q -- '--kubelet-insecure-tls'; then
  kubectl -n kube-system patch deployment metrics-server --type json \
    -p '[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "--kubelet-insecure-tls"}]'
fi
kubectl -n kube-system rollout status deployment/metrics-server --timeout=180s
if [[ "$INGRESS" == gateway-api ]]; then
  # The experimental channel: HTTPRoute rules' retry field (the standard channel's CRDs would drop it).
  kubectl apply --server-side -f \
    "https://github.com/kubernetes-sigs/gateway-api/releases/download/$GATEWAY_API_VERSION/experimental-install.yaml"
fi

log "2. Istio $ISTIO_VERSION with the CNI plugin (Pod Security restricted forbids istio-init)"
# The overlay makes the proxies fetch the token-signing keys themselves, over mTLS: istiod, outside
# the mesh, cannot reach user under STRICT mTLS (docs/deploy.md, "Customer tokens at the mesh").
"$ISTIOCTL" install -y -f mesh/install/istio-cni-and-tracing.yaml -f mesh/install/jwks-fetched-by-proxies.yaml
kubectl -n istio-system rollout status daemonset/istio-cni-node --timeout=180s
kubectl -n istio-system rollout status deployment/istiod --timeout=180s
if [[ "$INGRESS" == istio ]]; then
  kubectl -n istio-system rollout status deployment/istio-ingressgateway --timeout=180s
fi

log "3. Addons: Prometheus, Grafana, Jaeger, Kiali, with meshshop's observability/"
for addon in prometheus grafana jaeger kiali; do
  kubectl apply -f "$ISTIO_HOME/samples/addons/$addon.yaml"
done
# Our scrape config, rules, dashboards and Kiali settings replace the addons' ConfigMaps (observability/).
observability="$(kubectl apply -k observability/)"
printf '%s\n' "$observability"
# The dashboards' volume, added to Grafana's Deployment once: a second run finds it there (the addon's own
# apply above keeps fields it did not set).
if ! kubectl -n istio-system get deployment grafana -o jsonpath='{.spec.template.spec.volumes[*].name}' \
    | tr ' ' '\n' | grep -qx dashboards-meshshop; then
  kubectl -n istio-system patch deployment grafana --type json --patch-file observability/cluster/grafana-deployment-patch.json
fi
# Grafana and Kiali read their ConfigMaps at start: restart them only when apply changed one.
for addon in grafana kiali; do
  if grep -Eq "^configmap/$addon (configured|created)" <<<"$observability"; then
    kubectl -n istio-system rollout restart "deployment/$addon"
  fi
done
for addon in prometheus grafana jaeger kiali; do
  kubectl -n istio-system rollout status "deployment/$addon" --timeout=300s
done

log "4. Images meshshop/<service>:$TAG, built and loaded into kind"
REBUILT=()
for service in "${SERVICES[@]}"; do
  before="$(docker image inspect --format '{{.Id}}' "meshshop/$service:$TAG" 2>/dev/null || true)"
  docker build -f "services/$service/Dockerfile" -t "meshshop/$service:$TAG" .
  if [[ "$(docker image inspect --format '{{.Id}}' "meshshop/$service:$TAG")" != "$before" ]]; then
    kind load docker-image "meshshop/$service:$TAG" --name "$CLUSTER"
    REBUILT+=("$service")
  fi
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
# Deployments of an earlier run: their pods run the image of that run.
EARLIER="$(kubectl -n meshshop get deployments -o name 2>/dev/null || true)"
kubectl apply -k k8s/overlays/dev
for service in "${SERVICES[@]}"; do
  if [[ "$service" != storefront ]]; then
    kubectl -n meshshop rollout status "statefulset/$service-db" --timeout=300s
  fi
done
kubectl apply -k "$MESH_DIR"
for service in "${SERVICES[@]}"; do
  # A rebuilt image keeps its tag: a restart makes the pods use it (a first run's pods already do).
  if [[ " ${REBUILT[*]} " == *" $service "* ]] && grep -qx "deployment.apps/$service" <<<"$EARLIER"; then
    kubectl -n meshshop rollout restart "deployment/$service"
  fi
  kubectl -n meshshop rollout status "deployment/$service" --timeout=300s
done

log "6. Smoke checkout through the ingress gateway (port-forward to localhost:$LOCAL_PORT)"
kubectl -n "$GATEWAY_NAMESPACE" port-forward "svc/$GATEWAY_SERVICE" "$LOCAL_PORT:80" >/dev/null &
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

# Not routed at the ingress: payment (internal) and the list of users (admins only, in the cluster): 404 from
# Istio's gateway, 403 from the storefront's proxy behind the Gateway API's "/" rule.
for path in /api/payments /api/users; do
  status="$(status_of "${auth[@]}" "$BASE$path")"
  [[ "$status" == 404 || ( "$INGRESS" == gateway-api && "$status" == 403 ) ]] \
    || die "GET $path through the ingress answered $status, expected it refused"
  echo "GET $path not exposed at the ingress ($status)"
done

# The web shop: everything else, GET only.
status="$(status_of "$BASE/")"
[[ "$status" == 200 ]] || die "GET / (the storefront) answered $status"
echo "storefront at $BASE/"

log "Done. Dashboards (each blocks; run in its own terminal):"
echo "  $ISTIOCTL dashboard kiali     # graph: namespace meshshop (sign in: docs/deploy.md, section 5)"
echo "  $ISTIOCTL dashboard jaeger    # traces: service istio-ingressgateway.istio-system or order.meshshop"
echo "  $ISTIOCTL dashboard grafana   # Istio Service / Workload dashboards"
echo "  kubectl -n $GATEWAY_NAMESPACE port-forward svc/$GATEWAY_SERVICE $LOCAL_PORT:80   # the shop and the API"

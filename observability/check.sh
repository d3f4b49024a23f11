#!/usr/bin/env bash
# Checks everything in observability/ that can be checked without a cluster:
#   1. promtool check rules   the recording and alerting rules parse and lint clean
#   2. promtool test rules    the alert unit tests: every alert fires and clears as designed
#   3. promtool check config  the local and the cluster Prometheus configurations (with their rule files);
#                             for the cluster's, which pod endpoints each scrape job keeps, with
#                             promtool check service-discovery on fixture pods
#   4. dashboards             every PromQL expression in the Grafana dashboards parses (each becomes a
#                             recording rule in a temporary file that promtool check rules parses), and
#                             the dashboard JSON is sound (grafana/dashboard_exprs.py says what it checks)
#   5. grafana provisioning   the datasources link to each other (exemplars to Jaeger, Jaeger to
#                             Prometheus) and to the dashboards by uids that exist
#   6. kustomize              observability/kustomization.yaml renders (when kubectl is on PATH)
# Exits non-zero at the first failure. Installs nothing: promtool comes from Debian's "prometheus"
# package (apt-get install -y prometheus), which scripts/test.sh and .ci/run install.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! command -v promtool >/dev/null 2>&1; then
    echo "observability/check.sh: promtool is missing. Install Debian's prometheus package:" >&2
    echo "    apt-get install -y prometheus" >&2
    exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "observability/check.sh: python3 is missing (it reads the dashboards' JSON)." >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "promtool check rules"
promtool check rules prometheus/rules/*.yml

step "promtool test rules"
promtool test rules prometheus/tests/*.test.yml

step "promtool check config (local)"
promtool check config prometheus/prometheus-local.yml

step "cluster config: relabeling of typical pods, then promtool check config"
# Debian's Prometheus has no Kubernetes discovery: the test swaps it for file discovery of fixture pods
# (prometheus/tests/cluster-pods.json) and checks which endpoints each job scrapes. The swapped config,
# laid out as in the cluster's ConfigMap (rules beside it), is then checked as a whole.
python3 prometheus/tests/cluster_scrape_test.py "$work/cluster"
promtool check config "$work/cluster/prometheus.yml"

step "dashboard expressions"
python3 grafana/dashboard_exprs.py grafana/dashboards > "$work/dashboard-expressions.yml"
promtool check rules "$work/dashboard-expressions.yml"

step "grafana provisioning"
python3 grafana/provisioning_check.py grafana/provisioning/datasources/meshshop.yml grafana/dashboards

step "kustomize observability/"
if command -v kubectl >/dev/null 2>&1; then
    kubectl kustomize . > "$work/rendered.yaml"
    grep -c '^kind: ' "$work/rendered.yaml" | xargs printf '  SUCCESS: %s objects rendered\n'
else
    echo "  SKIPPED: kubectl is not on PATH (the manifest tests need it too; see manifest-tests)."
fi

echo
echo "observability/check.sh: all checks passed"

#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus package) scraping the services that scripts/run-local.sh runs
# (user :8081, order :8082, payment :8083), with meshshop's recording rules and alerts loaded.
#
#   observability/run-prometheus.sh          # then open http://localhost:9090
#   PROMETHEUS_PORT=9091 observability/run-prometheus.sh
#
# Data goes to a fresh temporary directory, removed on exit (Ctrl-C). Try:
#   http://localhost:9090/targets   the three services (a service not running shows as down)
#   http://localhost:9090/alerts    the SLO alerts
#   query: namespace_app_route:meshshop_http_server_requests:rate5m
# Installs nothing: apt-get install -y prometheus brings /usr/bin/prometheus.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${PROMETHEUS_PORT:-9090}"

prometheus_bin="$(command -v prometheus || true)"
if [ -z "$prometheus_bin" ]; then
    echo "run-prometheus.sh: prometheus is missing. Install Debian's package: apt-get install -y prometheus" >&2
    exit 2
fi

data="$(mktemp -d -t meshshop-prometheus.XXXXXX)"
cleanup() { rm -rf "$data"; }
trap cleanup EXIT

config="$here/prometheus/prometheus-local.yml"
# The config scrapes Prometheus itself on 9090; on another port, point that job at the right one.
if [ "$port" != 9090 ]; then
    sed "s/localhost:9090/localhost:$port/" "$config" > "$data/prometheus-local.yml"
    # rule_files are relative to the config file: keep them reachable from the copy.
    ln -s "$here/prometheus/rules" "$data/rules"
    config="$data/prometheus-local.yml"
fi

echo "Prometheus on http://localhost:$port (data in $data, removed on exit); Ctrl-C stops it."
# Loopback only: this is a developer's tool, not a shared server. exec would skip the cleanup trap.
# Exemplar storage keeps the trace ids that come with the histogram's samples (when the services expose
# them), so that Grafana can open a sample's trace in Jaeger.
"$prometheus_bin" \
    --config.file="$config" \
    --storage.tsdb.path="$data/tsdb" \
    --web.listen-address="127.0.0.1:$port" \
    --web.enable-lifecycle \
    --enable-feature=exemplar-storage &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; cleanup' EXIT INT TERM
wait "$pid"

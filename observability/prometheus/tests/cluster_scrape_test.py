#!/usr/bin/env python3
"""Tests the cluster scrape config's relabeling with promtool, without a cluster.

    python3 observability/prometheus/tests/cluster_scrape_test.py WORKDIR

Debian's Prometheus is built without Kubernetes service discovery, so the kubernetes_sd_configs of
prometheus-cluster.yml are swapped for a file_sd_configs that serves cluster-pods.json: the targets
that Kubernetes discovery would produce for a few typical pods (same __meta_kubernetes_* labels; one
target per declared container port, as the pod role gives them). The pods, in file order:
  10.1.0.5 order v1 with a sidecar and merged metrics: Istio rewrote its prometheus.io annotations to
           the agent (port 15020, /stats/prometheus); containers order (port http) and istio-proxy
           (port http-envoy-prom)
  10.1.0.6 payment with a sidecar and merging switched off (prometheus.istio.io/merge-metrics: "false"),
           so its annotations still name the app (8080, /observe/metrics); the same two containers
  10.1.0.7 the ingress gateway: a proxy alone, annotated for its agent
  10.1.0.8 istiod: no proxy, annotated with port 15014 and no path
  10.1.0.9 user, still Pending: not scraped by anyone
Everything after discovery (relabeling, addresses, paths, labels) is the real config, run by
`promtool check service-discovery`. The expectations below are what each job must scrape.
"""
import json
import pathlib
import re
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
PROMETHEUS = HERE.parent

# job -> {(address, metrics path, app label, namespace label)}
EXPECTED = {
    # Each pod with a proxy exactly once, on the agent's port that merges the app's metrics in.
    "istio-merged": {
        ("10.1.0.5:15020", "/stats/prometheus", "order", "meshshop"),
        ("10.1.0.6:15020", "/stats/prometheus", "payment", "meshshop"),
        ("10.1.0.7:15020", "/stats/prometheus", "istio-ingressgateway", "istio-system"),
    },
    # Annotated pods that merging does not cover: no proxy (istiod), or merging switched off (payment's
    # app port, besides its agent above). order and the gateway are not scraped twice.
    "kubernetes-pods": {
        ("10.1.0.6:8080", "/observe/metrics", "payment", "meshshop"),
        ("10.1.0.8:15014", "/metrics", "istiod", "istio-system"),
    },
}


def main():
    work = pathlib.Path(sys.argv[1])
    work.mkdir(parents=True, exist_ok=True)
    config = (PROMETHEUS / "prometheus-cluster.yml").read_text()
    swapped, count = re.subn(r"kubernetes_sd_configs:\n(\s+)- role: pod",
                             r"file_sd_configs:\n\1- files: [cluster-pods.json]", config)
    if count != len(EXPECTED):
        sys.exit(f"cluster scrape test: expected {len(EXPECTED)} kubernetes_sd_configs blocks, found {count}")
    (work / "prometheus.yml").write_text(swapped)
    shutil.copy(HERE / "cluster-pods.json", work / "cluster-pods.json")
    shutil.copy(PROMETHEUS / "rules" / "meshshop-recording.yml", work / "recording_rules.yml")
    shutil.copy(PROMETHEUS / "rules" / "meshshop-slo-alerts.yml", work / "alerting_rules.yml")
    failed = False
    for job, expected in EXPECTED.items():
        result = subprocess.run(["promtool", "check", "service-discovery", "--timeout=10s", "prometheus.yml", job],
                                cwd=work, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            sys.exit(f"cluster scrape test: promtool failed for {job}:\n{result.stdout}{result.stderr}")
        targets = json.loads(result.stdout)
        # Prometheus scrapes targets with identical final labels once (a pod's containers all yield the
        # same target); two different label sets on one address and path would be two scrapes.
        scraped = {json.dumps(t["labels"], sort_keys=True): t["labels"] for t in targets if t["labels"]}.values()
        endpoints = [(t["__address__"], t["__metrics_path__"]) for t in scraped]
        if len(endpoints) != len(set(endpoints)):
            print(f"  FAILED {job}: an endpoint is scraped twice: {sorted(endpoints)}")
            failed = True
        got = {(t["__address__"], t["__metrics_path__"], t.get("app"), t.get("namespace")) for t in scraped}
        if got != expected:
            print(f"  FAILED {job}:\n    expected {sorted(expected)}\n    got      {sorted(got)}")
            failed = True
        else:
            print(f"  SUCCESS {job}: {len(got)} targets as expected")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

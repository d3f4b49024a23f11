#!/usr/bin/env python3
"""Checks the Grafana dashboards and turns every PromQL expression in them into a recording rule.

    python3 observability/grafana/dashboard_exprs.py DASHBOARD_DIR > rules.yml
    promtool check rules rules.yml

promtool parses each expression with Prometheus's own PromQL parser; a rules file is the one input of
promtool that takes arbitrary expressions without a running server. Grafana's variables are replaced
first ($__rate_interval by 5m, a dashboard variable such as $app by a plain value), since they are not
PromQL. The output is JSON, which is also YAML. The dashboards are checked on the way: valid JSON,
a unique uid, unique panel ids, every query on the dashboard's ${datasource}, no unknown variable,
and no query without an expression. Exit status 1 and a message on stderr for any problem.
The system test PrometheusScrapeTest goes further and runs every expression against a real Prometheus.
"""
import json
import pathlib
import re
import sys

# Grafana's built-in interval variables, as durations PromQL accepts.
BUILTINS = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h"}
VARIABLE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")


def fail(message):
    print(f"dashboard check: {message}", file=sys.stderr)
    sys.exit(1)


def metric_part(text):
    """A piece of a recording rule's name: letters, digits and underscores only."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", str(text))


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # panels inside collapsed rows


def substitute(expr, variables, where):
    def replace(match):
        name = match.group(1) or match.group(2)
        if name in BUILTINS:
            return BUILTINS[name]
        if name in variables:
            # Dashboard variables are only used as label values; any plain value parses.
            return "x"
        fail(f"{where}: unknown variable ${name} in {expr!r}")
    return VARIABLE.sub(replace, expr)


def main():
    if len(sys.argv) != 2:
        fail("usage: dashboard_exprs.py DASHBOARD_DIR")
    files = sorted(pathlib.Path(sys.argv[1]).glob("*.json"))
    if not files:
        fail(f"no dashboards in {sys.argv[1]}")
    uids, rules = {}, []
    for file in files:
        try:
            dashboard = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            fail(f"{file}: not valid JSON: {e}")
        uid = dashboard.get("uid")
        if not uid or uid in uids:
            fail(f"{file}: missing or duplicate uid {uid!r}")
        uids[uid] = file
        variables = {v["name"] for v in dashboard.get("templating", {}).get("list", [])}
        if "datasource" not in variables:
            fail(f"{file}: no datasource variable; every panel queries ${{datasource}}")
        ids = set()
        for panel in panels(dashboard):
            if panel.get("id") in ids:
                fail(f"{file}: duplicate panel id {panel.get('id')}")
            ids.add(panel.get("id"))
            if panel.get("type") == "row":
                continue
            targets = panel.get("targets") or []
            if not targets:
                fail(f"{file}: panel {panel.get('title')!r} has no query")
            for target in targets:
                where = f"{file.name} panel {panel.get('id')} {panel.get('title')!r} query {target.get('refId')}"
                if target.get("datasource", {}).get("uid") != "${datasource}":
                    fail(f"{where}: datasource is not ${{datasource}}")
                expr = (target.get("expr") or "").strip()
                if not expr:
                    fail(f"{where}: empty expression")
                rules.append({"record": f"dashboard:{metric_part(uid)}:panel_{panel['id']}_{metric_part(target['refId'])}",
                              "expr": substitute(expr, variables, where)})
        for variable in dashboard.get("templating", {}).get("list", []):
            if variable.get("type") == "query":
                query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
                inner = re.fullmatch(r"label_values\((.*),\s*\w+\)", query)
                if not inner:
                    fail(f"{file}: variable {variable['name']}: only label_values(selector, label) is used here")
                rules.append({"record": f"dashboard:{metric_part(uid)}:variable_{variable['name']}",
                              "expr": substitute(inner.group(1), variables, f"{file.name} variable {variable['name']}")})
    json.dump({"groups": [{"name": "dashboard-expressions", "rules": rules}]}, sys.stdout, indent=1)
    print(f"dashboard check: {len(rules)} expressions from {len(files)} dashboards", file=sys.stderr)


if __name__ == "__main__":
    main()

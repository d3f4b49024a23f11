#!/usr/bin/env python3
"""Checks that the Grafana datasources link to each other and to the dashboards by uids that exist.

    python3 observability/grafana/provisioning_check.py DATASOURCES_YML DASHBOARD_DIR

A wrong uid fails silently in Grafana (the link or the panel just shows nothing), so observability/check.sh
runs this. It reads the provisioning file as text (Python's standard library has no YAML parser, and
check.sh installs nothing): each datasource is a block starting with "  - name:" under "datasources:",
with "uid:" and "type:" at the block's first level. Checked:
  - every datasourceUid (exemplar destinations, trace-to-metrics links) names a provisioned datasource;
  - the Prometheus datasource sends exemplars' trace_id to a Jaeger datasource;
  - every dashboard's datasource variable defaults to a provisioned Prometheus datasource.
Exit status 1 and a message on stderr for any problem.
"""
import json
import pathlib
import re
import sys


def fail(message):
    print(f"provisioning check: {message}", file=sys.stderr)
    sys.exit(1)


def datasources(text):
    """The datasource blocks: a dict per block with its uid, type and the block's lines."""
    blocks = []
    for line in text.splitlines():
        if re.match(r"^  - name: ", line):
            blocks.append({"lines": [line]})
        elif blocks and (line.startswith("    ") or not line.strip()):
            blocks[-1]["lines"].append(line)
        elif blocks and line.strip() and not line.startswith("#"):
            break  # the next top-level key ends the list
    for block in blocks:
        for key in ("uid", "type"):
            values = [m.group(1) for line in block["lines"] if (m := re.match(rf"^    {key}: (\S+)\s*$", line))]
            if len(values) != 1:
                fail(f"datasource {block['lines'][0].strip()!r}: expected one '{key}:', found {values}")
            block[key] = values[0]
    return blocks


def main():
    if len(sys.argv) != 3:
        fail("usage: provisioning_check.py DATASOURCES_YML DASHBOARD_DIR")
    text = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
    blocks = datasources(text)
    types = {b["uid"]: b["type"] for b in blocks}
    if len(types) != len(blocks):
        fail(f"duplicate datasource uids: {[b['uid'] for b in blocks]}")
    for block in blocks:
        for line in block["lines"]:
            if m := re.match(r"^\s+(?:- )?datasourceUid: (\S+)\s*$", line):
                if m.group(1) not in types:
                    fail(f"datasource {block['uid']}: datasourceUid {m.group(1)} is not provisioned ({sorted(types)})")
    prometheus = [b for b in blocks if b["type"] == "prometheus"]
    if not prometheus:
        fail("no Prometheus datasource")
    for block in prometheus:
        body = "\n".join(block["lines"])
        link = re.search(r"exemplarTraceIdDestinations:\n\s+- name: (\S+)\n\s+datasourceUid: (\S+)", body)
        if not link:
            fail(f"datasource {block['uid']}: no exemplarTraceIdDestinations with name and datasourceUid")
        if link.group(1) != "trace_id" or types.get(link.group(2)) != "jaeger":
            fail(f"datasource {block['uid']}: exemplars link label {link.group(1)} to {link.group(2)}; "
                 "expected trace_id to a Jaeger datasource")
    for file in sorted(pathlib.Path(sys.argv[2]).glob("*.json")):
        dashboard = json.loads(file.read_text(encoding="utf-8"))
        for variable in dashboard.get("templating", {}).get("list", []):
            if variable.get("type") == "datasource":
                uid = variable.get("current", {}).get("value")
                if types.get(uid) != "prometheus":
                    fail(f"{file.name}: datasource variable defaults to {uid!r}, not a provisioned Prometheus")
    print(f"  SUCCESS: {len(blocks)} datasources ({', '.join(sorted(types))}) link to each other and to the dashboards")


if __name__ == "__main__":
    main()

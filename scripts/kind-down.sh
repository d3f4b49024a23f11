#!/usr/bin/env bash
# NOT RUN HERE (no Docker engine on the machine it was written on). Deletes the kind
# cluster that scripts/kind-up.sh created; the downloaded Istio in ~/.cache/meshshop stays.
set -euo pipefail
kind delete cluster --name "${CLUSTER:-meshshop}"

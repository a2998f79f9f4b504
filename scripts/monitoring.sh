#!/usr/bin/env bash
# The monitoring stack next to ./run.sh, on loopback: Prometheus (discovering
# the session servers from the backend's admin listener) and Alertmanager with
# dashboards/'s configuration, and the webhook that prints each alert. Prints
# their URLs; Ctrl-C stops them. --help lists the options.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in prometheus prometheus-alertmanager node; do
  command -v "$tool" >/dev/null || { echo "monitoring: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
exec node dashboards/monitoring.mjs "$@"

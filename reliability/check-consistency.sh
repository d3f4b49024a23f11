#!/usr/bin/env bash
# The consistency checker: reads the order and payment databases (PostgreSQL) and prints every finding:
# orders PAID without exactly one matching capture, captures without an order or for a CANCELLED order
# without a full refund, refunds above captures, orders still PENDING/CANCELLING after the grace period,
# duplicate orders for one Idempotency-Key. Exit status: 0 nothing found, 1 findings, 2 could not read.
#
#   reliability/check-consistency.sh --order-db jdbc:postgresql://127.0.0.1:5432/order \
#                                    --payment-db jdbc:postgresql://127.0.0.1:5432/payment \
#                                    [--db-user postgres] [--db-password ""] [--pending-grace PT60S]
#
# --db-user/--db-password are the role for both databases; --order-db-user, --order-db-password,
# --payment-db-user and --payment-db-password give one database its own (a cluster's databases have a
# password each). Or with ORDER_DB_URL, PAYMENT_DB_URL, DB_USER, DB_PASSWORD, ORDER_DB_USER,
# ORDER_DB_PASSWORD, PAYMENT_DB_USER, PAYMENT_DB_PASSWORD, PENDING_GRACE in the environment (arguments win).
# The checker only reads, in read-only transactions. In the cluster it runs as a Job from its image
# (reliability/Dockerfile, k8s/components/consistency-check, docs/scenarios.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -f reliability/target/reliability.jar ]; then
    mvn -B -q -pl reliability -am package -DskipTests >&2
fi
exec "$JAVA_HOME/bin/java" -jar reliability/target/reliability.jar check "$@"

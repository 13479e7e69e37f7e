#!/bin/sh
# Writes deploy/.env (git-ignored) with a random NATS password for every user of
# deploy/nats/auth.conf that has none yet, Grafana's admin password and the key the connector
# seals carrier passwords under; compose reads it (docker compose -f
# deploy/compose.yaml up). Run once before the first `up`; rotate a password by deleting its
# line, running this again and `docker compose up -d` (docs/security.md, "Rotating").
set -eu
cd "$(dirname "$0")"
touch .env
chmod 600 .env
for variable in $(grep -o 'SMSGW_NATS_PASSWORD_[A-Z_]*' nats/auth.conf | sort -u) SMSGW_GRAFANA_ADMIN_PASSWORD; do
  if ! grep -q "^$variable=" .env; then
    # A letter first: nats-server reads the variable as a config value, and one that begins
    # with a digit is taken for a number (docs/security.md, "Passwords").
    echo "$variable=n$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> .env
    echo "nats-secrets: $variable written to deploy/.env"
  fi
done
# The connector's and the console's secret-box keys (32 bytes, base64): rotating it is not deleting the line, it
# is moving it to SMSGW_CARRIER_SECRETS_KEY_PREVIOUS first (docs/security.md, "Rotating").
for name in SMSGW_CARRIER_SECRETS_KEY SMSGW_CONSOLE_SECRETS_KEY; do
  if ! grep -q "^$name=" .env; then
    echo "$name=$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >> .env
    echo "nats-secrets: $name written to deploy/.env"
  fi
done

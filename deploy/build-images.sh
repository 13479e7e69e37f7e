#!/usr/bin/env bash
# Builds the image of every service (deploy/Dockerfile, one build per service) and, with
# PUSH=1, pushes them: what CI runs where a Docker engine exists.
#
#   REGISTRY=ghcr.io/acme deploy/build-images.sh            # tags <REGISTRY>/smsgw/<service>:<TAG>
#   REGISTRY=ghcr.io/acme TAG=1.4.0 PUSH=1 deploy/build-images.sh
#
# REGISTRY is required for a push (there is no default registry: the manifests' overlays name
# theirs with `kustomize edit set image`, runbook "Deploy"); without it the images are tagged
# smsgw/<service>:<TAG> locally. TAG defaults to the commit (git rev-parse --short HEAD).
# Without a Docker engine (the development machines have only the client) it says so and
# exits 0: nothing to build there, and nothing failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v docker >/dev/null 2>&1; then
  echo "build-images: skipped: no docker command on this machine"
  exit 0
fi
if ! reason="$(docker info --format '{{.ServerVersion}}' 2>&1)"; then
  echo "build-images: skipped: no Docker engine answers (docker info: $(echo "$reason" | grep -m1 .))"
  exit 0
fi

tag="${TAG:-$(git rev-parse --short HEAD)}"
prefix="${REGISTRY:+${REGISTRY%/}/}smsgw"
if [ "${PUSH:-0}" = "1" ] && [ -z "${REGISTRY:-}" ]; then
  echo "build-images: PUSH=1 needs REGISTRY (e.g. REGISTRY=ghcr.io/acme)" >&2
  exit 2
fi

services=()
for main in services/*/src/main.ts; do
  service="${main#services/}"
  services+=("${service%%/*}")
done

for service in "${services[@]}"; do
  image="$prefix/$service:$tag"
  echo "build-images: $image"
  docker build -f deploy/Dockerfile --build-arg "SERVICE=$service" -t "$image" .
  if [ "${PUSH:-0}" = "1" ]; then docker push "$image"; fi
done
echo "build-images: ${#services[@]} images tagged $tag"

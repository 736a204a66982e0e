#!/usr/bin/env bash
# Build a minimal Debian root filesystem with python3, venv, pip and git, and import it as a
# Docker image. Used where no registry answers (the registry's python:X-slim is preferred).
#   usage: debootstrap-base.sh SUITE TAG [MIRROR]
# The root filesystem is made in a temporary folder and removed afterwards.
set -euo pipefail
suite=$1 tag=$2 mirror=${3:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || {
    echo "[base-image] installing debootstrap (apt-get)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}
root=$(mktemp -d /tmp/solver-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "[base-image] debootstrap $suite into $root" >&2
debootstrap --variant=minbase \
    --include=python3,python3-venv,python3-pip,python-is-python3,git,ca-certificates,procps \
    "$suite" "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 30 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# What an image does not need: package caches and docs.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
       "$root"/usr/share/man/* "$root"/usr/share/locale/*
echo "[base-image] docker import as $tag" >&2
tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    --message "solver offline base ($suite)" - "$tag" >/dev/null

#!/usr/bin/env bash
# Make a Docker engine answer on this machine, saying what it did.
# 1. `docker info` answers: nothing to do.
# 2. dockerd is installed but not running: start it in the background.
# 3. neither: install Debian's docker.io (apt), then start dockerd.
# Waits up to 60 s for the engine to answer; exits non-zero with the reason otherwise.
set -euo pipefail

log=${SOLVER_DOCKERD_LOG:-/var/log/solver-dockerd.log}
say() { printf '[docker-engine] %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
    say "engine already answering ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
        say "no dockerd and no apt-get: install a Docker engine by hand"; exit 1
    fi
    say "installing Debian's docker.io (apt-get)"
    sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
    say "starting dockerd in the background (log: $log)"
    sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
    # setsid: the engine must outlive the shell (and the session) that started it.
    $sudo_ setsid sh -c "nohup dockerd >'$log' 2>&1 &" </dev/null
fi

for _ in $(seq 1 120); do
    if docker info >/dev/null 2>&1; then
        say "engine answering ($(docker version --format '{{.Server.Version}}'))"
        exit 0
    fi
    sleep 0.5
done
say "dockerd did not answer within 60 s; last lines of $log:"
tail -n 20 "$log" >&2 || true
exit 1

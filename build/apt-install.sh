#!/usr/bin/env bash
# Installs Debian packages with apt-get without leaving services running. Some packages the tests
# and the benchmark need start a service on install (docker-registry on port 5000, nginx on 80,
# dockerd with its socket), and `./stevedore serve` on its default port would then fail with
# "address already in use"; the tests start their own daemons.
# A temporary policy-rc.d (exit 101) keeps the install from starting services; it is removed
# afterwards, even on failure. A service unit that started or got enabled all the same is
# stopped and disabled, and said so (socket units too: docker.socket would start dockerd on the
# first connection). Without root or apt-get, it says what to install; exit 1.
#
#   build/apt-install.sh PACKAGE...
#
# STEVEDORE_POLICY_RC_D names another policy-rc.d path (for this script's test).
set -euo pipefail

policy="${STEVEDORE_POLICY_RC_D:-/usr/sbin/policy-rc.d}"
say() { echo "apt-install: $*" >&2; }

# Service and socket units running or enabled, one a line; none where systemd is not the running
# init.
services() {
  command -v systemctl >/dev/null 2>&1 || return 0
  systemctl list-units --type=service --state=running --no-legend --plain >/dev/null 2>&1 || return 0
  {
    systemctl list-units --type=service,socket --state=running,listening --no-legend --plain
    systemctl list-unit-files --type=service,socket --state=enabled --no-legend
  } 2>/dev/null | awk '{ print $1 }' | sort -u
}

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "missing $*; install them as root with apt-get: sudo $0 $*"
  exit 1
fi

before="$(services)"
if [ ! -e "$policy" ]; then
  trap 'rm -f "$policy"' EXIT
  trap 'exit 130' INT TERM HUP
  printf '#!/bin/sh\n# Written by build/apt-install.sh for one install: start no service.\nexit 101\n' >"$policy"
  chmod 755 "$policy"
fi
say "installing $* with apt-get (services kept from starting)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "$@" >/dev/null

started="$(comm -13 <(echo "$before") <(services) | xargs)"
if [ -n "$started" ]; then
  # shellcheck disable=SC2086 # unit names have no spaces
  if systemctl disable --now $started >/dev/null 2>&1; then
    say "stopped and disabled $started, started by this install (tests and benchmarks run their own)"
  else
    say "this install started $started; stop it with: sudo systemctl disable --now $started"
  fi
fi

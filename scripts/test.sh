#!/usr/bin/env bash
# The project's test command: installs what the tests need on a fresh Debian/Ubuntu machine,
# then runs the whole Maven build with every test (unit, integration, formatting check).
#
#   scripts/test.sh              # everything
#   scripts/test.sh -pl protocol # extra arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }

install_packages() {
  # Debian package names; installed only when missing and only if we can (root + apt-get).
  local missing=()
  need openssl || missing+=(openssl)
  need etcd || missing+=(etcd-server)
  need etcdctl || missing+=(etcd-client)
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if [ "$(id -u)" -eq 0 ] && need apt-get; then
    echo "test.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
}

need java || { echo "test.sh: a JDK 17 is required (java not found)" >&2; exit 1; }
need mvn || { echo "test.sh: Maven 3.8+ is required (mvn not found)" >&2; exit 1; }
install_packages

exec mvn -B -ntp verify "$@"

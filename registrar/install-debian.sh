#!/usr/bin/env bash
# Installs what the SIP registrar and its tests need from Debian 12 — Kamailio with its SQLite and
# PostgreSQL modules, the rtpengine media relay (userspace only: no kernel module is built) and sipp
# (package sip-tester) — without leaving a system Kamailio or rtpengine service running.
# Idempotent: does nothing when everything is already there. Run as root (CI runs as root).
set -euo pipefail

packages=(kamailio kamailio-sqlite-modules kamailio-postgres-modules rtpengine-daemon sip-tester)
have_all() {
  command -v kamailio >/dev/null 2>&1 && command -v kamcmd >/dev/null 2>&1 && command -v sipp >/dev/null 2>&1 &&
    command -v rtpengine >/dev/null 2>&1 &&
    compgen -G "/usr/lib/*/kamailio/modules/db_sqlite.so" >/dev/null &&
    compgen -G "/usr/lib/*/kamailio/modules/db_postgres.so" >/dev/null
}

if ! have_all; then
  # A policy-rc.d that answers 101 stops the packages' maintainer scripts from starting the service
  # (both invoke-rc.d and deb-systemd-invoke ask it).
  added_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    added_policy=yes
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  if [[ -n "$added_policy" ]]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# Belt and braces: a system Kamailio or rtpengine started anyway is stopped and kept from starting at boot.
if [[ -d /run/systemd/system ]]; then
  systemctl disable --now kamailio.service rtpengine-daemon.service >/dev/null 2>&1 || true
else
  # Without systemd, only a service whose own pid file names a live process is stopped (its init script
  # matches that pid file, never the registrar's or the relay's own daemons).
  for service in kamailio:/run/kamailio/kamailio.pid rtpengine-daemon:/run/rtpengine/rtpengine-daemon.pid; do
    name=${service%%:*} pidfile=${service#*:}
    if [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && [[ -x /etc/init.d/$name ]]; then
      "/etc/init.d/$name" stop >/dev/null 2>&1 || true
      update-rc.d "$name" disable >/dev/null 2>&1 || true
    fi
  done
fi
if grep -q ':13C4 ' /proc/net/udp 2>/dev/null; then
  echo "install-debian.sh: something still listens on UDP 5060; the registrar tests use their own ports" >&2
fi

have_all || { echo "install-debian.sh: ${packages[*]} did not install" >&2; exit 1; }
# Report the versions; `sipp -v` exits non-zero by design, and head/grep may close the pipe early.
{ kamailio -v 2>&1 || true; } | head -n 1 || true
{ rtpengine --version 2>&1 || true; } | head -n 1 || true
{ sipp -v 2>&1 || true; } | grep -m 1 SIPp || true

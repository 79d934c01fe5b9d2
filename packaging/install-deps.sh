#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package provstation needs to build, test and run its demo bench.
# Used by the README's two commands, by the demo and by .ci/run. Idempotent and quiet when
# everything is present already.
#
# Packages that ship daemons (kea-dhcp4-server, tftpd-hpa, dnsmasq, atftpd) must never start
# answering on a real interface because of us: while installing we forbid service starts with a
# temporary policy-rc.d (unless the admin already has one), and afterwards we disable the units of
# packages that *we* just installed. An admin's running Kea is never touched.
set -eu

PKGS="build-essential cmake ninja-build pkg-config git
kea-dev kea-dhcp4-server kea-admin
libboost-dev libssl-dev libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev nlohmann-json3-dev
libcli11-dev libtomlplusplus-dev libpugixml-dev zlib1g-dev libzxing-dev libstb-dev
libgtest-dev libgmock-dev
busybox curl iproute2 nftables openssl tftp-hpa atftp procps psmisc
zint imagemagick zbar-tools ieee-data
chromium
tftpd-hpa dnsmasq-base"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages:$missing; run this script as root" >&2
  exit 1
fi

daemon_pkgs=""
for d in kea-dhcp4-server tftpd-hpa dnsmasq atftpd; do
  case " $missing " in *" $d "*) daemon_pkgs="$daemon_pkgs $d" ;; esac
done

own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  own_policy=1
fi
cleanup() { [ "$own_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

for d in $daemon_pkgs; do
  case "$d" in
    kea-dhcp4-server) unit=kea-dhcp4-server ;;
    *) unit=$d ;;
  esac
  if command -v systemctl >/dev/null 2>&1; then
    systemctl disable "$unit" >/dev/null 2>&1 || true
  fi
done
echo "install-deps: installed$missing"

#!/usr/bin/env bash
# CRIU 4.2.1 from Debian sid in a private folder, run through sid's own
# loader so the system libc stays untouched (shared/PLATFORM.md). 4.2.1 is
# the first CRIU that dumps TCP sockets on this kernel (4.1.1 fails on every
# TCP socket with "Can't get 1:16 opt": Linux >= 6.16 refuses SO_PASSCRED).
# Result: /opt/fleximigrate/criu-4.2.1/bin/criu, also linked as
# /usr/local/sbin/criu so runc and Docker find it.
# CRIU_LINK=0 installs without touching /usr/local/sbin/criu.
set -euo pipefail
VERSION=4.2.1
SUITE=sid
PREFIX=${CRIU_PREFIX:-/opt/fleximigrate/criu-$VERSION}
WRAPPER=$PREFIX/bin/criu
log() { printf '[criu] %s\n' "$*" >&2; }
link() { [ "${CRIU_LINK:-1}" = 0 ] || ln -sf "$WRAPPER" /usr/local/sbin/criu; }

if [ -x "$WRAPPER" ] && "$WRAPPER" --version 2>/dev/null | grep -q "Version: $VERSION"; then
  link
  exit 0
fi
URI=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
URI=${URI:-http://deb.debian.org/debian}
APT=$PREFIX/apt
rm -rf "$PREFIX/root" "$PREFIX/debs"
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$PREFIX/debs" "$PREFIX/root" "$PREFIX/bin"
# Never add sid to the system's own sources: that would upgrade libc in place.
echo "deb [trusted=yes] $URI $SUITE main" > "$APT/sources.list"
OPTS=(-o Dir::Etc::SourceList="$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache"
      -o APT::Get::AllowUnauthenticated=true -o Acquire::AllowInsecureRepositories=true)
log "fetching $SUITE package lists"
apt-get "${OPTS[@]}" update -qq >/dev/null
# criu and every library it loads, from the same suite (libnet9 since 4.2).
PKGS="criu libcompel1 libc6 libprotobuf-c1 libnl-3-200 libnet9 libnftables1 libnftnl11 libmnl0
libjansson4 libxtables12 libbsd0 libmd0 libgnutls30t64 libidn2-0 libunistring5 libp11-kit0 libffi8
libtasn1-6 libnettle8t64 libhogweed6t64 libgmp10 libuuid1 libedit2 libtinfo6 libgcc-s1 libbrotli1
libzstd1 libjson-c5 libselinux1 libpcre2-8-0"
log "downloading $(echo $PKGS | wc -w) packages"
# apt drops privileges to _apt for downloads; the private folder belongs to root.
(cd "$PREFIX/debs" && apt-get "${OPTS[@]}" -o APT::Sandbox::User=root download $PKGS >/dev/null)
for d in "$PREFIX"/debs/*.deb; do dpkg -x "$d" "$PREFIX/root"; done
R=$PREFIX/root
cat > "$WRAPPER" <<WRAP
#!/bin/sh
exec $R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path $R/usr/lib/x86_64-linux-gnu $R/usr/sbin/criu "\$@"
WRAP
chmod +x "$WRAPPER"
got=$("$WRAPPER" --version | head -1)
case "$got" in
  *"$VERSION"*) ;;
  *) log "expected CRIU $VERSION from $SUITE, got '$got'"; exit 1 ;;
esac
link
log "installed: $got"

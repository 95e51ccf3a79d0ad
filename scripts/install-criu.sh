#!/usr/bin/env bash
# CRIU 4.1.1 from Debian trixie in a private folder, run through trixie's
# own loader so the system libc stays untouched (shared/PLATFORM.md).
# Result: /opt/fleximigrate/criu/bin/criu, also linked as /usr/local/sbin/criu
# so runc and Docker find it.
set -euo pipefail
PREFIX=${CRIU_PREFIX:-/opt/fleximigrate/criu}
WRAPPER=$PREFIX/bin/criu
log() { printf '[criu] %s\n' "$*" >&2; }
if [ -x "$WRAPPER" ] && "$WRAPPER" --version >/dev/null 2>&1; then
  ln -sf "$WRAPPER" /usr/local/sbin/criu
  exit 0
fi
URI=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
URI=${URI:-http://deb.debian.org/debian}
APT=$PREFIX/apt
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$PREFIX/debs" "$PREFIX/root" "$PREFIX/bin"
echo "deb [trusted=yes] $URI trixie main" > "$APT/sources.list"
OPTS=(-o Dir::Etc::SourceList="$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache"
      -o APT::Get::AllowUnauthenticated=true -o Acquire::AllowInsecureRepositories=true)
log "fetching trixie package lists"
apt-get "${OPTS[@]}" update -qq >/dev/null
PKGS="criu libcompel1 libc6 libprotobuf-c1 libnl-3-200 libnet1 libnftables1 libnftnl11 libmnl0 libjansson4 libxtables12 libbsd0 libmd0 libgnutls30t64 libidn2-0 libunistring5 libp11-kit0 libffi8 libtasn1-6 libnettle8t64 libhogweed6t64 libgmp10 libuuid1"
log "downloading $(echo $PKGS | wc -w) packages"
(cd "$PREFIX/debs" && apt-get "${OPTS[@]}" download $PKGS >/dev/null)
for d in "$PREFIX"/debs/*.deb; do dpkg -x "$d" "$PREFIX/root"; done
R=$PREFIX/root
cat > "$WRAPPER" <<WRAP
#!/bin/sh
exec $R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path $R/usr/lib/x86_64-linux-gnu $R/usr/sbin/criu "\$@"
WRAP
chmod +x "$WRAPPER"
ln -sf "$WRAPPER" /usr/local/sbin/criu
log "installed: $("$WRAPPER" --version | head -1)"

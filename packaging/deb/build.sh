#!/bin/sh
# Builds the Debian package from a release tree with dpkg-deb (no debhelper, no
# root: files are owned by root in the package through --root-owner-group).
#
# Usage: packaging/deb/build.sh RELEASE_TREE VERSION OUTDIR
# Writes OUTDIR/portico_DEBVERSION_amd64.deb, DEBVERSION being VERSION with
# "-" as "~" (0.2.0-SNAPSHOT -> 0.2.0~SNAPSHOT, which sorts before 0.2.0).
set -eu

tree=$1
version=$(printf '%s' "$2" | tr '-' '~')
out=$3
here=$(cd "$(dirname "$0")" && pwd -P)

stage=$out/deb-stage
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
sh "$here/../stage.sh" deb "$tree" "$stage"

install -D -m 0644 "$here/portico.service" "$stage/lib/systemd/system/portico.service"
install -D -m 0644 "$here/portico.logrotate" "$stage/etc/logrotate.d/portico"
install -D -m 0644 "$here/portico.default" "$stage/etc/default/portico"
install -m 0644 "$here/copyright" "$stage/usr/share/doc/portico/copyright"

# every file under /etc is a conffile: dpkg keeps an administrator's changes on upgrade
(cd "$stage" && find etc -type f | sort | sed 's|^|/|') >"$stage/DEBIAN/conffiles"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@SIZE@|$size|" "$here/control" >"$stage/DEBIAN/control"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

deb=$out/portico_${version}_amd64.deb
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >/dev/null
rm -rf "$stage"
echo "release: $deb"

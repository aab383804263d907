#!/bin/sh
# Builds the release files from a packaged build (run by `mvn -Prelease package`,
# after the shaded jar and the dependency licence files are in target/):
#
#   target/portico-VERSION/             the release tree (what the tarball holds)
#   target/portico-VERSION.tar.gz       the tarball
#   target/portico_DEBVERSION_amd64.deb the Debian package (packaging/deb/build.sh)
#
# Usage: packaging/release.sh VERSION TARGET_DIR [deb|nodeb]
set -eu

version=$1
target=$2
deb=${3:-deb}
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$here")

name=portico-$version
tree=$target/$name
rm -rf "$tree"
mkdir -p "$tree/bin" "$tree/lib" "$tree/licenses"

# --- the release tree: the checkout's layout, the jar in lib/ ------------------
install -m 0755 "$repo/bin/portico" "$tree/bin/portico"
install -m 0644 "$target/portico.jar" "$tree/lib/portico.jar"
cp -R "$repo/conf" "$repo/html" "$repo/docs" "$tree/"
install -m 0644 "$repo/README.md" "$tree/README.md"
# files made by hand while trying the examples (docs/examples/localhost.*) stay out
rm -f "$tree/docs/examples/localhost.crt" "$tree/docs/examples/localhost.key"

# --- licence notices of the dependencies in the jar ---------------------------
# THIRD-PARTY.txt (license-maven-plugin) names each dependency and its licence;
# the texts are the ones the dependency jars carry, plus those they do not
# (Netty's jars carry no Apache-2.0 text, Bouncy Castle's has it only in a class).
install -m 0644 "$target/generated-sources/license/THIRD-PARTY.txt" "$tree/licenses/THIRD-PARTY.txt"
install -m 0644 "$here/licenses/Apache-2.0.txt" "$here/licenses/BouncyCastle.txt" "$tree/licenses/"
if [ -d "$target/dependency-licenses" ]; then
    for dep in "$target/dependency-licenses"/*; do
        [ -d "$dep/META-INF" ] || continue
        out=$tree/licenses/${dep##*/}
        out=${out%-jar}
        mkdir -p "$out"
        cp -R "$dep/META-INF/." "$out/"
    done
fi
find "$tree" -type d -exec chmod 0755 {} +
find "$tree" -type f ! -path "$tree/bin/*" -exec chmod 0644 {} +
chmod 0755 "$tree"/docs/bench/*.sh "$tree"/docs/bench/*.py 2>/dev/null || true

# --- the tarball: owned by root, dated by the last commit (reproducible) -------
mtime=@$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" \
    -C "$target" -czf "$target/$name.tar.gz" "$name"
echo "release: $target/$name.tar.gz"

# --- the Debian package ---------------------------------------------------------
case $deb in
    nodeb) ;;
    *)
        if ! command -v dpkg-deb >/dev/null 2>&1; then
            echo "release: dpkg-deb not found: install dpkg, or build without the package: -Dportico.deb=nodeb" >&2
            exit 1
        fi
        sh "$here/deb/build.sh" "$tree" "$version" "$target"
        ;;
esac

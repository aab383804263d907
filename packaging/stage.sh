#!/bin/sh
# Lays out an installed Portico (the FHS paths of the Debian package and the
# container image) from a release tree (target/portico-VERSION):
#
#   /usr/sbin/portico              -> /usr/share/portico/bin/portico (the launcher)
#   /usr/share/portico/lib/        portico.jar, and layout: the defaults below
#   /usr/share/portico/html/       the welcome page
#   /usr/share/portico/bin/healthcheck  (container) GET /healthz for HEALTHCHECK
#   /etc/portico/                  portico.conf, conf.d/default.conf, mime.types
#   /var/lib/portico/              the prefix: temporary files (html -> the welcome page)
#   /var/log/portico/              logs (deb) or standard error and output (container)
#   /run/portico/portico.pid       the pid file
#   /usr/share/doc/portico/        README, docs, licence notices
#
# Usage: packaging/stage.sh deb|container RELEASE_TREE DESTDIR [ROOT]
# ROOT (default none) is put in front of every path the installed files name, so
# that a test can run an installation from DESTDIR=ROOT without being root.
set -eu

flavour=$1
tree=$2
dest=$3
root=${4:-}
here=$(cd "$(dirname "$0")" && pwd -P)

share=/usr/share/portico
doc=/usr/share/doc/portico
state=/var/lib/portico
pid=/run/portico/portico.pid
case $flavour in
    deb)
        port=80
        error_log=$root/var/log/portico/error.log
        access_log=$root/var/log/portico/access.log
        reload='`systemctl reload portico` (or `portico -s reload`)'
        stop='`systemctl stop portico`'
        stop_note=" The unit's TimeoutStopSec\\n# (45s, portico.service) is longer."
        ;;
    container)
        port=8080
        error_log=stderr
        access_log=/dev/stdout
        reload='`portico -s reload` in the container, or on its own with PORTICO_WATCH_CONFIG=on'
        stop='the engine'"'"'s stop command: SIGQUIT'
        stop_note=" Keep the engine's stop timeout\\n# (Kubernetes: terminationGracePeriodSeconds) longer."
        ;;
    *)
        echo "stage.sh: deb or container, not \"$flavour\"" >&2
        exit 2
        ;;
esac

# Started by root, the launcher runs as this user (a relocated test installation
# runs as whoever starts it).
if [ -z "$root" ]; then
    user_line=user=portico
else
    user_line="# user=portico"
fi

install -d -m 0755 "$dest$share/bin" "$dest$share/lib" "$dest/usr/sbin" "$dest/etc/portico/conf.d" \
    "$dest$state" "$dest$doc"
install -m 0755 "$tree/bin/portico" "$dest$share/bin/portico"
install -m 0644 "$tree/lib/portico.jar" "$dest$share/lib/portico.jar"
ln -sf ../share/portico/bin/portico "$dest/usr/sbin/portico"
cat >"$dest$share/lib/layout" <<LAYOUT
# The paths this installation uses when the command line names none (as nginx's
# configure arguments do; \`portico -V\` shows them), and the user it runs as
# when root starts it. Read by bin/portico.
prefix=$root$state/
conf-path=$root/etc/portico/portico.conf
error-log-path=$error_log
pid-path=$root$pid
$user_line
LAYOUT
chmod 0644 "$dest$share/lib/layout"

# the welcome page names the installed paths
cp -R "$tree/html" "$dest$share/html"
sed -i -e "s|conf/conf.d/default.conf|/etc/portico/conf.d/default.conf|" -e "s|bin/portico|portico|g" \
    -e "s|docs/directives.md|$doc/directives.md|" "$dest$share/html/index.html"
ln -sfn "$root$share/html" "$dest$state/html"

# the configuration: the shared templates with this flavour's paths
subst() {
    sed -e "s|@DOCDIR@|$doc|g" -e "s|@RELOAD@|$reload|g" -e "s|@PREFIX@|$root$state/|g" \
        -e "s|@STOP@|$stop|g" -e "s|@STOP_NOTE@|$stop_note|g" -e "s|@ERROR_LOG@|$error_log|g" \
        -e "s|@ACCESS_LOG@|$access_log|g" -e "s|@PID@|$root$pid|g" -e "s|@STATE@|$root$state|g" \
        -e "s|@PORT@|$port|g" -e "s|@HTML@|$root$share/html|g" "$1" >"$2"
    chmod 0644 "$2"
}
subst "$here/conf/portico.conf" "$dest/etc/portico/portico.conf"
subst "$here/conf/conf.d/default.conf" "$dest/etc/portico/conf.d/default.conf"
install -m 0644 "$tree/conf/mime.types" "$dest/etc/portico/mime.types"
# the same, for a configuration mounted over /etc/portico (deploy/kubernetes)
install -m 0644 "$tree/conf/mime.types" "$dest$share/mime.types"

# the container's HEALTHCHECK
if [ "$flavour" = container ]; then
    install -m 0755 "$here/container/healthcheck" "$dest$share/bin/healthcheck"
    install -d -m 0755 "$dest/run/portico"
fi

# documentation and licence notices
install -m 0644 "$tree/README.md" "$dest$doc/README.md"
cp -R "$tree/docs/." "$dest$doc/"
cp -R "$tree/licenses" "$dest$doc/licenses"

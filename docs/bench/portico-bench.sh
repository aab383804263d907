#!/bin/sh
# Benchmark launcher for the proxy branch. The bench template also carries directives of
# modules this branch does not have yet (access_log, fastcgi/uwsgi/scgi temp paths); they do
# nothing on the measured path, so a filtered copy of the configuration is used.
PREFIX=""
CONF=""
ARGS=""
while [ $# -gt 0 ]; do
  case "$1" in
    -p) PREFIX="$2"; shift 2 ;;
    -c) CONF="$2"; shift 2 ;;
    *) ARGS="$ARGS $1"; shift ;;
  esac
done
if [ -n "$CONF" ]; then
  FILTERED="$(dirname "$CONF")/portico-filtered.conf"
  grep -v -E '^\s*(access_log|fastcgi_temp_path|uwsgi_temp_path|scgi_temp_path)\s' "$CONF" > "$FILTERED"
  CONF="$FILTERED"
fi
# the jar of the checkout this script stands in (docs/bench/ -> ../../target/)
JAR="$(cd "$(dirname "$0")/../.." && pwd)/target/portico.jar"
exec java -XX:+UseSerialGC -Xms256m -Xmx256m ${PORTICO_JAVA_OPTS} -cp "$JAR" dev.portico.cli.Main ${PREFIX:+-p "$PREFIX"} ${CONF:+-c "$CONF"} $ARGS

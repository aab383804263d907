#!/usr/bin/env bash
# Checks deploy/kubernetes offline (run by .ci/run): the manifests against the
# Kubernetes schemas (validate/validate.mjs, npm packages pinned in
# validate/package-lock.json), then the ConfigMap's nginx.conf with `portico -t`,
# with the image's paths and the application's Service name replaced by this
# checkout's and a loopback address.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$here/validate"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
node validate.mjs "$tmp/nginx.conf"

sed -e "s|/usr/share/portico/mime.types|$repo/conf/mime.types|" -e 's|server app:8080;|server 127.0.0.1:8080;|' \
    "$tmp/nginx.conf" >"$tmp/nginx.test.conf"
"$repo/bin/portico" -p "$tmp/" -c "$tmp/nginx.test.conf" -t -q
echo "deploy/kubernetes: the ConfigMap's nginx.conf passes portico -t"

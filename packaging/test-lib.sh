# Shared by the release and deployment tests (packaging/test-*.sh, deploy/*/test.sh); sourced, not run.
# The sourcing script sets test_name and defines failure_logs, which prints the files
# worth showing when a check fails (globs are expanded when it runs).

checks=0

say() { printf '%s: %s\n' "$test_name" "$*"; }

fail() {
    say "FAILED: $*"
    local f
    for f in $(failure_logs); do
        if [ -f "$f" ]; then
            say "--- $f"
            tail -n 30 "$f" || true
        fi
    done
    exit 1
}

ok() {
    checks=$((checks + 1))
    say "ok: $*"
}

# await WHAT COMMAND...: runs COMMAND every 0.1 s until it succeeds, at most
# AWAIT_TRIES times (default 200, 20 s), then fails naming WHAT.
await() {
    local what=$1
    shift
    for _ in $(seq "${AWAIT_TRIES:-200}"); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    fail "timed out waiting for $what"
}

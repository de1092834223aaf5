#!/usr/bin/env bash
# Downloads (without installing) the Debian packages that hold the example source photos and
# unpacks each into DIR/<package>/, for tools/examples/make-examples.ts DIR.
#   bash tools/examples/fetch-sources.sh /tmp/example-sources
# Needs apt-get (run `apt-get update` first on a fresh machine) and dpkg-deb.
set -euo pipefail
dir=${1:?usage: fetch-sources.sh DIR}
mkdir -p "$dir"
cd "$dir"
pkgs=(lomiri-wallpapers-16.04 palapeli-data python3-skimage)
apt-get download "${pkgs[@]}"
for p in "${pkgs[@]}"; do
  deb=$(ls -1 "${p}"_*.deb | sort | tail -n 1)
  rm -rf "$p"
  mkdir -p "$p"
  dpkg-deb -x "$deb" "$p"
  echo "unpacked $deb into $dir/$p"
done

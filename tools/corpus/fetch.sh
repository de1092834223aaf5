#!/usr/bin/env bash
# Downloads (without installing) every Debian package that tools/corpus/sources.ts takes photos
# from, and unpacks each into DIR/<package>/, for tools/corpus/build.ts --sources DIR.
#   bash tools/corpus/fetch.sh /tmp/corpus-sources
# Needs apt-get and dpkg-deb; runs `apt-get update` and retries once if a download fails.
# About 1 GB of .deb files (stellarium-data and supertuxkart-data are most of it).
#
# NEVER add mate-backgrounds, plasma-workspace-wallpapers or opencv-doc here: they are reserved for
# an independent evaluation and must not even be downloaded.
set -euo pipefail
dir=${1:?usage: fetch.sh DIR}
pkgs=(
  gcompris-qt-data
  tuxpaint-data
  lomiri-wallpapers-16.04
  lomiri-wallpapers-20.04
  lxqt-themes
  supertuxkart-data
  scribus-template
  palapeli-data
  python3-skimage
  gramps
  python3-sklearn
  digikam-data
  python-matplotlib-data
  stellarium-data
)
for p in "${pkgs[@]}"; do
  case $p in mate-backgrounds|plasma-workspace-wallpapers|opencv-doc) echo "refusing reserved package $p" >&2; exit 1;; esac
done
mkdir -p "$dir"
cd "$dir"
if ! apt-get download "${pkgs[@]}"; then
  echo "download failed; running apt-get update and retrying" >&2
  apt-get update
  apt-get download "${pkgs[@]}"
fi
for p in "${pkgs[@]}"; do
  deb=$(ls -1 "${p}"_*.deb | sort -V | tail -n 1)
  rm -rf "$p"
  mkdir -p "$p"
  dpkg-deb -x "$deb" "$p"
  echo "unpacked $deb into $dir/$p"
done

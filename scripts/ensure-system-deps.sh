#!/usr/bin/env bash
# System packages the tests need beyond npm: a font for chart text (sharp renders SVG text with
# fontconfig). Installs them with apt-get when missing and possible; otherwise says what to install.
set -u
missing=()
if ! fc-list 2>/dev/null | grep -qi .; then missing+=(fonts-dejavu-core fontconfig); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (needed by the chart tests)"
  (apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; }) \
    || echo "warning: could not install ${missing[*]}; chart text tests may fail" >&2
else
  echo "warning: please install ${missing[*]} (fonts for chart text)" >&2
fi
exit 0

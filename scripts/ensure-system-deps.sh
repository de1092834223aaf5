#!/usr/bin/env bash
# System packages the tests need beyond npm: a font for chart text (sharp renders SVG text with
# fontconfig) and redis-server (the queue tests start their own on a free port). Installs them
# with apt-get when missing and possible; otherwise says what to install.
set -u
missing=()
if ! fc-list 2>/dev/null | grep -qi .; then missing+=(fonts-dejavu-core fontconfig); fi
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then missing+=(redis-server); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (fonts for the chart tests, redis-server for the queue tests)"
  # The tests start their own redis-server (a free port, a temp dir); a daemon the package may start is not used.
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; }) \
    || echo "warning: could not install ${missing[*]}; chart text or queue tests may fail" >&2
else
  echo "warning: please install ${missing[*]} (fonts for chart text, redis-server for the queue tests)" >&2
fi
exit 0

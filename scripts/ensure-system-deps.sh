#!/usr/bin/env bash
# System packages the tests need beyond npm: a font for chart text (sharp renders SVG text with
# fontconfig), Debian's Chromium for the browser tests of the web page (Playwright drives it;
# Playwright's own browser download is not used) and redis-server (the queue tests start their
# own on a free port). Installs them with apt-get when missing and possible; otherwise says what to
# install (the browser and queue tests then fail with the same message in CI, and are skipped elsewhere).
set -u
missing=()
if ! fc-list 2>/dev/null | grep -qi .; then missing+=(fonts-dejavu-core fontconfig); fi
if [ -z "${IMG2IMG_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then missing+=(redis-server); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} (needed by the chart, browser and queue tests)"
  # The queue tests start their own redis-server (a free port, a temp dir); a daemon the package may start is not used.
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; }) \
    || echo "warning: could not install ${missing[*]}; chart text, browser and queue tests may fail" >&2
else
  echo "warning: please install ${missing[*]} (apt-get install ${missing[*]}): fonts for chart text, Chromium for the browser tests, redis-server for the queue tests" >&2
fi
exit 0

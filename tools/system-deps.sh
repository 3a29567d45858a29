#!/usr/bin/env sh
# System tools the tests use, from Debian/Ubuntu packages: a virtual screen (Xvfb) and a key-presser
# (xdotool) for the live-window test, an offline text-to-speech engine (espeak-ng) for spoken cues,
# Chromium for the HTML report's browser test, and ffprobe (ffmpeg) to check the annotated video's codec.
# Installs only what is missing; uses sudo when not root. formcheck itself needs none of them.
set -eu
need=""
command -v Xvfb >/dev/null 2>&1 || need="$need xvfb"
command -v xdotool >/dev/null 2>&1 || need="$need xdotool"
command -v espeak-ng >/dev/null 2>&1 || need="$need espeak-ng"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v ffprobe >/dev/null 2>&1 || need="$need ffmpeg"
[ -z "$need" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: please install:$need (no apt-get here)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null

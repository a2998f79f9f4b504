#!/usr/bin/env bash
# Prints the secret that signs the chat's tokens, kept in FILE (default
# artifacts/jwt-secret), and makes it on first use: 32 random bytes in
# base64, the file readable by its owner only. ./run.sh signs with it, so a
# restart keeps everyone signed in, and session servers that a restarted
# backend adopts still check tokens with the secret they started with.
#
#   scripts/jwt-secret.sh [FILE]
set -euo pipefail
file="${1:-$(dirname "$0")/../artifacts/jwt-secret}"
if [[ ! -s "$file" ]]; then
  mkdir -p "$(dirname "$file")"
  # Written whole under another name, then renamed: never a half-written secret.
  (umask 077 && head -c 32 /dev/urandom | base64 >"$file.new" && mv -f "$file.new" "$file")
fi
if [[ "$(stat -c %a "$file")" != 600 ]]; then
  echo "jwt-secret: $file can be read by others (mode $(stat -c %a "$file")); chmod 600 it" >&2
  exit 1
fi
cat "$file"

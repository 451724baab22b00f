#!/usr/bin/env bash
# Create one isolated virtual environment per benchmark peer under
# benchmarks/.peers/<name>/ (gitignored).  Idempotent: a venv whose recorded
# requirement line matches and whose import check passes is left alone.
#
#   bash benchmarks/peers/setup.sh            # all peers
#   bash benchmarks/peers/setup.sh moto       # only the named peers
#   PEERS_PYTHON=/path/to/python3.11 bash benchmarks/peers/setup.sh
#
# Peers and their pinned requirements (PyPI only):
#   pmapper        principalmapper==1.1.5 (2022; needs our shim on 3.10+)
#   moto           moto[server,iam,sts]==5.* + boto3 (server benchmark client)
#   cloudsplaining cloudsplaining (0.9.x)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$ROOT/benchmarks/.peers}"
PY="${PEERS_PYTHON:-}"
if [[ -z "$PY" ]]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1; then PY="$(command -v "$cand")"; break; fi
  done
fi
[[ -n "$PY" ]] || { echo "setup.sh: no python3 found" >&2; exit 1; }

declare -A REQS=(
  [pmapper]="principalmapper==1.1.5"
  [moto]="moto[server,iam,sts]>=5,<6 boto3"
  [cloudsplaining]="cloudsplaining>=0.9,<0.10"
)
declare -A CHECKS=(
  [pmapper]="import principalmapper, botocore"
  [moto]="import moto, moto.server, boto3, flask; from moto.iam.access_control import IAMPolicy"
  [cloudsplaining]="import cloudsplaining; from cloudsplaining.scan.authorization_details import AuthorizationDetails"
)
ORDER=(pmapper moto cloudsplaining)

if [[ $# -gt 0 ]]; then ORDER=("$@"); fi

mkdir -p "$PEERS_DIR"
status=0
for name in "${ORDER[@]}"; do
  req="${REQS[$name]:-}"
  if [[ -z "$req" ]]; then echo "setup.sh: unknown peer '$name'" >&2; status=1; continue; fi
  venv="$PEERS_DIR/$name"
  stamp="$venv/.iamwarden-req"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$req" ]] \
     && "$venv/bin/python" -c "${CHECKS[$name]}" >/dev/null 2>&1; then
    echo "[peers] $name: up to date ($venv)"
    continue
  fi
  echo "[peers] $name: creating venv at $venv with $PY"
  "$PY" -m venv "$venv"
  echo "[peers] $name: pip install $req"
  # shellcheck disable=SC2086
  # (the local mirror config prints one "Location ... is ignored" warning per
  # package; filter that noise, keep real errors)
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $req \
       2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); then
    echo "[peers] $name: pip install FAILED" >&2; status=1; continue
  fi
  if "$venv/bin/python" -c "${CHECKS[$name]}"; then
    echo "$req" > "$stamp"
    echo "[peers] $name: ready ($("$venv/bin/python" -m pip show "${req%%[=<>\[ ]*}" 2>/dev/null | awk '/^Version:/{print $2}'))"
  else
    echo "[peers] $name: import check FAILED" >&2; status=1
  fi
done
exit $status

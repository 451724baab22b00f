#!/usr/bin/env bash
# Refresh the in-repository copies of the project's shared data from ../shared
# (or $IAMWARDEN_SHARED) and rewrite their manifest. Run it when shared/ changes;
# tests/conformance/test_data_copy.py fails until you do.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${IAMWARDEN_SHARED:-../shared}"
rm -rf tests/conformance/data && mkdir -p tests/conformance/data
cp -r "$shared/conformance/." tests/conformance/data/
cp "$shared/spec/privesc-catalog.md" docs/privesc-catalog.md
cp "$shared/spec/aws-semantics.md" docs/aws-semantics.md
{
  (cd tests/conformance/data && find . -type f | sort | sed 's|^\./||' | while read -r f; do
     printf '%s  conformance/%s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"; done)
  printf '%s  spec/privesc-catalog.md\n' "$(sha256sum docs/privesc-catalog.md | cut -d' ' -f1)"
  printf '%s  spec/aws-semantics.md\n' "$(sha256sum docs/aws-semantics.md | cut -d' ' -f1)"
} > tests/conformance/MANIFEST.sha256
echo "copied; $(wc -l < tests/conformance/MANIFEST.sha256) files in tests/conformance/MANIFEST.sha256"

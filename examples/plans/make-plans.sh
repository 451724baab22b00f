#!/usr/bin/env bash
# Regenerate the bundled Terraform plans with a real terraform and AWS provider, offline:
# each folder under terraform/ is planned with -refresh=false (nothing is read from AWS; a
# folder's terraform.tfstate, when present, is the "current" state the plan starts from)
# and written as terraform/NAME.tfplan.json (terraform show -json).
# Needs terraform and the hashicorp/aws provider in a plugin folder (TF_PLUGIN_DIR,
# default /opt/tf-plugins). The offline provider settings live in a temporary override file,
# so the .tf files stay as they would be written for a real account.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
plugins="${TF_PLUGIN_DIR:-/opt/tf-plugins}"
for dir in "$here"/terraform/*/; do
  name="$(basename "$dir")"
  work="$(mktemp -d)"
  cp "$dir"/*.tf "$work"/
  [ -f "$dir/terraform.tfstate" ] && cp "$dir/terraform.tfstate" "$work"/
  cat > "$work/offline_override.tf" <<'TF'
provider "aws" {
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
TF
  (cd "$work" && terraform init -input=false -plugin-dir="$plugins" >/dev/null 2>&1 \
     && terraform plan -input=false -refresh=false -lock=false -out=plan.bin >/dev/null \
     && terraform show -json plan.bin) | python3 -m json.tool --indent 2 > "$here/terraform/$name.tfplan.json"
  rm -rf "$work"
  echo "wrote terraform/$name.tfplan.json"
done

# The fix: AdminRole trusts one named principal, with MFA, instead of the whole
# account; alice's standing sts:AssumeRole permission is removed.

resource "aws_iam_role" "admin" {
  name = "AdminRole"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:user/ops-admin" }
      Action    = "sts:AssumeRole"
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role_policy" "admin_all" {
  name = "AdminAll"
  role = aws_iam_role.admin.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_user" "alice" {
  name = "alice"
}

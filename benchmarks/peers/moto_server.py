#!/usr/bin/env python
"""Start moto's server (IAM/STS) on the loopback with IAM access control
enforced, seed a user + access key + roles, print endpoint and credentials
as one JSON line, and stay up until SIGTERM/SIGINT.

Run under the moto peer venv::

    benchmarks/.peers/moto/bin/python benchmarks/peers/moto_server.py [--port 0] [--host 127.0.0.1]

(``--port 0`` picks a free port.)  Output (stdout, one line, flushed)::

    {"tool": "moto", "status": "ready", "endpoint": "http://127.0.0.1:PORT",
     "region": "us-east-1", "account_id": "123456789012",
     "credentials": {"access_key_id": ..., "secret_access_key": ...},
     "user_arn": ..., "role_arn": ..., "denied_role_arn": ...,
     "enforcement": "...", "selfcheck": {...}, "server_pid": PID, "startup_seconds": s}

How enforcement is switched on (moto 5.x server mode)
-----------------------------------------------------
moto authenticates and authorizes a request only once
``ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT``;
the setting defaults to ``inf`` (never enforce) and is read from the
environment variable ``INITIAL_NO_AUTH_ACTION_COUNT``.  In server mode it can
be changed at run time with ``POST /moto-api/reset-auth`` whose body is the
new count (this also resets the request counter).  So:

1. the server starts with ``INITIAL_NO_AUTH_ACTION_COUNT=0`` in its env
   (enforcement on from the first request);
2. we ``POST /moto-api/reset-auth`` body ``inf`` to seed IAM without
   credentials (CreateUser, PutUserPolicy, CreateAccessKey, CreateRole, ...);
3. we ``POST /moto-api/reset-auth`` body ``0``: from then on every IAM/STS
   request must be SigV4-signed with a key moto knows, and is authorized
   with moto's IAMPolicy evaluation (identity policies; for sts:AssumeRole
   also the role's trust policy, matched against the caller's exact ARN).

``sts:GetCallerIdentity`` is always allowed by moto once the signature is
valid.  The self-check asserts: GetCallerIdentity with the user's key works,
AssumeRole on ``role_arn`` works, AssumeRole on ``denied_role_arn`` is
AccessDenied, and an unknown key is rejected.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"


def free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_up(url, proc, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("moto_server exited with %s" % proc.returncode)
        try:
            with urllib.request.urlopen(url + "/moto-api/data.json", timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not come up in %ss" % timeout)


def reset_auth(url, value):
    # not form-encoded: Flask would swallow the body into request.form
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=value.encode(), method="POST",
                                 headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def doc(*st):
    return json.dumps({"Version": "2012-10-17", "Statement": list(st)})


def seed(url):
    import boto3
    iam = boto3.client("iam", endpoint_url=url, region_name=REGION,
                       aws_access_key_id="seed", aws_secret_access_key="seed")
    user = iam.create_user(UserName="bench-user")["User"]
    role_arn = "arn:aws:iam::%s:role/bench-role" % ACCOUNT
    denied_arn = "arn:aws:iam::%s:role/bench-denied" % ACCOUNT
    trust = doc({"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": [user["Arn"], "arn:aws:iam::%s:root" % ACCOUNT]}})
    role = iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="bench-role", PolicyName="read",
                        PolicyDocument=doc({"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}))
    iam.create_role(RoleName="bench-denied", AssumeRolePolicyDocument=trust)
    iam.put_user_policy(UserName="bench-user", PolicyName="assume",
                        PolicyDocument=doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn},
                                           {"Effect": "Allow", "Action": "iam:GetUser", "Resource": user["Arn"]}))
    key = iam.create_access_key(UserName="bench-user")["AccessKey"]
    return {"user_arn": user["Arn"], "role_arn": role["Arn"], "denied_role_arn": denied_arn,
            "credentials": {"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}}


def selfcheck(url, info):
    import boto3
    from botocore.exceptions import ClientError
    c = info["credentials"]
    sts = boto3.client("sts", endpoint_url=url, region_name=REGION,
                       aws_access_key_id=c["access_key_id"], aws_secret_access_key=c["secret_access_key"])
    out = {}
    out["get_caller_identity"] = sts.get_caller_identity()["Arn"]
    out["assume_role"] = sts.assume_role(RoleArn=info["role_arn"], RoleSessionName="bench")["AssumedRoleUser"]["Arn"]

    def code(fn):
        try:
            fn()
            return "allowed"
        except ClientError as e:
            return e.response["Error"]["Code"]
    out["assume_denied_role"] = code(lambda: sts.assume_role(RoleArn=info["denied_role_arn"], RoleSessionName="bench"))
    bad = boto3.client("sts", endpoint_url=url, region_name=REGION,
                       aws_access_key_id="AKIANOTAREALKEY00000", aws_secret_access_key="x")
    out["unknown_key"] = code(bad.get_caller_identity)
    out["ok"] = (out["assume_denied_role"] == "AccessDenied" and out["unknown_key"] != "allowed")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--no-selfcheck", action="store_true")
    args = ap.parse_args(argv)
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        ap.error("loopback hosts only")
    port = args.port or free_port(args.host)
    url = "http://%s:%d" % (args.host, port)

    exe = os.path.join(os.path.dirname(sys.executable), "moto_server")
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="0")
    t0 = time.perf_counter()
    proc = subprocess.Popen([exe, "-H", args.host, "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    stopping = {"flag": False}

    def stop(signum=None, frame=None):
        stopping["flag"] = True
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        wait_up(url, proc)
        reset_auth(url, "inf")
        info = seed(url)
        reset_auth(url, "0")
        out = {"tool": "moto", "status": "ready", "endpoint": url, "region": REGION, "account_id": ACCOUNT}
        out.update(info)
        out["enforcement"] = ("env INITIAL_NO_AUTH_ACTION_COUNT=0; seeded under POST /moto-api/reset-auth 'inf', "
                              "then POST /moto-api/reset-auth '0'")
        if not args.no_selfcheck:
            out["selfcheck"] = selfcheck(url, info)
            if not out["selfcheck"]["ok"]:
                out["status"] = "error"
        import moto
        out["version"] = moto.__version__
        out["server_pid"] = proc.pid
        out["startup_seconds"] = round(time.perf_counter() - t0, 3)
    except Exception as e:
        out = {"tool": "moto", "status": "error", "error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(out), flush=True)
        stop()
    print(json.dumps(out), flush=True)
    while proc.poll() is None:
        time.sleep(0.5)
    if not stopping["flag"]:
        print(json.dumps({"tool": "moto", "status": "server-exited", "returncode": proc.returncode}),
              file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()

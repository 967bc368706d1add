"""`motcua pki demo` / `motcua pki list` (driven through the module's own register())."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from signing_fixtures import needs_softhsm

from app.cli import pki as pki_cli

ROOT = Path(__file__).resolve().parent.parent

_DRIVER = """
import argparse, sys
from app.cli import pki
from app.errors import message_of
p = argparse.ArgumentParser(prog="motcua")
p.add_argument("--lang", default="vi")
sub = p.add_subparsers(dest="command")
pki.register(sub)
args = p.parse_args(sys.argv[1:])
try:
    sys.exit(args.func(args))
except Exception as exc:
    print("Lỗi:", message_of(exc, args.lang), file=sys.stderr)
    sys.exit(2)
"""


def _run(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _DRIVER, *argv], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True)


def test_register_adds_pki_commands():
    p = argparse.ArgumentParser()
    pki_cli.register(p.add_subparsers(dest="command"))
    args = p.parse_args(["pki", "list", "--p12", "x.p12", "--secret-env", "V"])
    assert args.func is pki_cli.cmd_list and args.secret_env == "V"


def test_demo_then_list_p12(tmp_path):
    out = tmp_path / "pki"
    r = _run("pki", "demo", "--out", str(out))
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["test_only"] is True and (out / "clerk1.p12").exists()
    r = _run("pki", "list", "--p12", str(out / "clerk2.p12"), "--secret-env", "MY_SECRET",
             env={"MY_SECRET": "demo"})
    assert r.returncode == 0, r.stderr
    certs = json.loads(r.stdout)["certificates"]
    assert certs[0]["common_name"].startswith("clerk2") and certs[0]["key_type"] == "EC-secp256r1"
    assert "demo" not in r.stderr
    r = _run("pki", "list", "--p12", str(out / "clerk2.p12"), "--secret-env", "MY_SECRET",
             env={"MY_SECRET": "wrong"})
    assert r.returncode == 2
    assert "Sai mật khẩu tệp chứng thư số (.p12)" in r.stderr and "wrong" not in r.stderr


@needs_softhsm
def test_demo_with_softhsm_then_list_token(tmp_path):
    out = tmp_path / "pki"
    r = _run("pki", "demo", "--out", str(out), "--softhsm-label", "DEMO-CLI", "--pin", "1111")
    assert r.returncode == 0, r.stderr
    hsm = json.loads(r.stdout)["softhsm"]
    env = {"SOFTHSM2_CONF": hsm["softhsm2_conf"], "TOKEN_PIN": "1111"}
    r = _run("pki", "list", "--pkcs11-module", hsm["module"], "--token-label", "DEMO-CLI",
             "--secret-env", "TOKEN_PIN", env=env)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert [t["label"] for t in res["tokens"]] == ["DEMO-CLI"]
    assert [c["label"] for c in res["certificates"]] == ["clerk1"]
    r = _run("pki", "list", "--pkcs11-module", hsm["module"], "--token-label", "NOPE", env=env)
    assert r.returncode == 2 and "Không tìm thấy thiết bị ký số" in r.stderr

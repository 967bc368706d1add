"""A throw-away PKI for development, tests and `motcua demo`. TEST ONLY, never for real use.

Every subject carries O="MotCua DEMO — KHÔNG DÙNG THẬT (test only)" so a demo certificate can
never be mistaken for one issued under the Government CA. Keys are generated fresh each time and
only written into password-protected PKCS#12 files (plus the CA keys, which stay in memory on
the returned `DemoPki` so tests can issue more CRLs).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEMO_ORG = "MotCua DEMO — KHÔNG DÙNG THẬT (test only)"
# cryptography caps commonName at 64 UTF-8 *bytes*: "(TEST ONLY)" no longer fits after the
# Vietnamese name, so the root carries the marking in O and OU instead.
ROOT_CN = "DEMO Cơ quan chứng thực số chuyên dùng Chính phủ"
TEST_OU = "TEST ONLY — KHÔNG DÙNG THẬT"
SUBCA_CN = "DEMO CA phục vụ các cơ quan Nhà nước (TEST ONLY)"
OTHER_ROOT_CN = "DEMO Untrusted Other Root CA (TEST ONLY)"
DEFAULT_CRL_URL = "http://127.0.0.1:8765/crl/subca.crl"
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# Special certificates for failure tests: name -> status.
SPECIALS = ("expired", "notyet", "wrong_usage", "untrusted", "expiring")


@dataclass
class DemoClerk:
    """One demo end-entity: its PKCS#12 file and (in memory) its key for test tooling."""

    name: str
    status: str  # valid | revoked | expired | notyet | wrong_usage | untrusted | expiring
    key_type: str  # rsa | ec
    p12: Path
    cert_pem: Path
    cert: x509.Certificate
    key: PrivateKey = field(repr=False)


@dataclass
class DemoPki:
    """Files and in-memory CA material of a generated demo PKI."""

    out_dir: Path
    root: x509.Certificate
    subca: x509.Certificate
    root_key: PrivateKey = field(repr=False)
    subca_key: PrivateKey = field(repr=False)
    other_root: x509.Certificate
    root_pem: Path
    subca_pem: Path
    chain_pem: Path
    crl_der: Path
    crl_pem: Path
    crl_dir: Path
    crl_url: str
    manifest: Path
    clerks: dict[str, DemoClerk]
    # The gateway's time-stamping authority (RFC 3161): EKU timeStamping, critical.
    tsa: x509.Certificate | None = None
    tsa_key: PrivateKey | None = field(default=None, repr=False)
    tsa_pem: Path | None = None  # TSA certificate then the sub-CA (its chain)
    tsa_key_pem: Path | None = None  # unencrypted PKCS#8 PEM, mode 0600 (a demo key)
    gateway: DemoClerk | None = None  # the provincial gateway's signing certificate


    def clerk(self, name: str) -> DemoClerk:
        return self.clerks[name]


def _name(cn: str, ou: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORG),
    ]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _new_key(kind: str) -> PrivateKey:
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ku(*, sign: bool = False, ca: bool = False, cert_sign_only: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca or cert_sign_only,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _cdp(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)]
    )


def _aki(issuer_pub: object) -> x509.AuthorityKeyIdentifier:
    """AuthorityKeyIdentifier of a demo issuer (always an RSA or EC key)."""
    if not isinstance(issuer_pub, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
        raise TypeError(f"demo PKI issuers use RSA or EC keys, not {type(issuer_pub).__name__}")
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_pub)


def _issue(
    subject: x509.Name,
    public_key: Any,
    issuer: x509.Certificate | None,
    issuer_key: PrivateKey,
    *,
    not_before: datetime,
    not_after: datetime,
    ca_path_len: int | None = None,
    is_ca: bool = False,
    key_usage: x509.KeyUsage,
    eku: Sequence[x509.ObjectIdentifier] = (),
    eku_critical: bool = False,
    crl_url: str | None = None,
) -> x509.Certificate:
    issuer_name = issuer.subject if issuer is not None else subject
    issuer_pub = issuer.public_key() if issuer is not None else public_key
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=ca_path_len), critical=True)
        .add_extension(key_usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            _aki(issuer_pub), critical=False
        )
    )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=eku_critical)
    if crl_url:
        b = b.add_extension(_cdp(crl_url), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def issue_crl(
    issuer: x509.Certificate,
    issuer_key: PrivateKey,
    revoked: Iterable[tuple[Any, ...]] = (),
    *,
    this_update: datetime | None = None,
    next_update: datetime | None = None,
    number: int = 1,
) -> x509.CertificateRevocationList:
    """A CRL from `issuer` listing (serial, revocation date[, reason[, invalidity date]])
    entries; the reason is an `x509.ReasonFlags` (default keyCompromise), None for no reason
    extension. Tests use it for stale CRLs and for revocation policy cases."""
    now = datetime.now(UTC)
    this_update = this_update or now - timedelta(minutes=5)
    next_update = next_update or now + timedelta(days=7)
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            _aki(issuer.public_key()),
            critical=False,
        )
    )
    for serial, when, *more in revoked:
        reason = more[0] if more else x509.ReasonFlags.key_compromise
        invalidity = more[1] if len(more) > 1 else None
        rb = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
        if reason is not None:
            rb = rb.add_extension(x509.CRLReason(reason), critical=False)
        if invalidity is not None:
            rb = rb.add_extension(x509.InvalidityDate(invalidity), critical=False)
        b = b.add_revoked_certificate(rb.build())
    return b.sign(issuer_key, hashes.SHA256())


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class _Authorities:
    """The demo root, its sub-CA (which issues clerks, the TSA and the gateway) and an
    unrelated root for the ``untrusted`` clerk."""

    root: x509.Certificate
    root_key: rsa.RSAPrivateKey = field(repr=False)
    subca: x509.Certificate
    subca_key: rsa.RSAPrivateKey = field(repr=False)
    other_root: x509.Certificate
    other_key: rsa.RSAPrivateKey = field(repr=False)


_CLERK_EKU = (ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION)


def _make_authorities(now: datetime, root_crl_url: str) -> _Authorities:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _issue(
        _name(ROOT_CN, ou=TEST_OU), root_key.public_key(), None, root_key,
        not_before=now - timedelta(days=1), not_after=now + timedelta(days=3650),
        is_ca=True, ca_path_len=1, key_usage=_ku(ca=True),
    )
    subca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subca = _issue(
        _name(SUBCA_CN, ou=TEST_OU), subca_key.public_key(), root, root_key,
        not_before=now - timedelta(days=1), not_after=now + timedelta(days=1825),
        is_ca=True, ca_path_len=0, key_usage=_ku(ca=True), crl_url=root_crl_url,
    )
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_root = _issue(
        _name(OTHER_ROOT_CN, ou=TEST_OU), other_key.public_key(), None, other_key,
        not_before=now - timedelta(days=1), not_after=now + timedelta(days=3650),
        is_ca=True, ca_path_len=1, key_usage=_ku(ca=True),
    )
    return _Authorities(root, root_key, subca, subca_key, other_root, other_key)


def _clerk_specs(clerks: Sequence[str], revoked: Sequence[str]) -> list[tuple[str, str, str]]:
    """(name, status, key type) of every clerk certificate to make: the second clerk gets an
    ECDSA key, then the special certificates for failure tests."""
    specs: list[tuple[str, str, str]] = []
    for i, name in enumerate(clerks):
        status = "revoked" if name in revoked else "valid"
        specs.append((name, status, "ec" if i == 1 else "rsa"))
    specs += [
        ("expired", "expired", "rsa"),
        ("notyet", "notyet", "ec"),
        ("wrong_usage", "wrong_usage", "rsa"),
        ("untrusted", "untrusted", "rsa"),
        ("expiring", "expiring", "rsa"),
    ]
    return specs


def _make_clerk(out_dir: Path, ca: _Authorities, now: datetime, name: str, status: str,
                kind: str, pw: bytes, crl_url: str) -> DemoClerk:
    """One clerk's key and certificate, written as ``NAME.p12`` (with its chain) and
    ``NAME.pem``; the status decides validity dates, issuer and key usage."""
    key = _new_key(kind)
    nb, na = now - timedelta(days=1), now + timedelta(days=365)
    if status == "expired":
        nb, na = now - timedelta(days=400), now - timedelta(days=30)
    elif status == "notyet":
        nb, na = now + timedelta(days=30), now + timedelta(days=400)
    elif status == "expiring":
        na = now + timedelta(days=10)
    untrusted = status == "untrusted"
    issuer, issuer_key = (ca.other_root, ca.other_key) if untrusted else (ca.subca, ca.subca_key)
    ku = _ku(cert_sign_only=True) if status == "wrong_usage" else _ku(sign=True)
    subject = _name(f"{name} — Cán bộ một cửa (TEST ONLY)", ou="UBND xã DEMO — Bộ phận một cửa")
    cert = _issue(
        subject, key.public_key(), issuer, issuer_key, not_before=nb, not_after=na,
        key_usage=ku, eku=() if status == "wrong_usage" else _CLERK_EKU, crl_url=crl_url,
    )
    cas = [ca.other_root] if untrusted else [ca.subca, ca.root]
    p12 = _write(
        out_dir / f"{name}.p12",
        pkcs12.serialize_key_and_certificates(
            name.encode(), key, cert, cas, serialization.BestAvailableEncryption(pw)
        ),
    )
    cert_pem = _write(out_dir / f"{name}.pem", _pem(cert))
    return DemoClerk(name, status, kind, p12, cert_pem, cert, key)


def _make_tsa(out_dir: Path, ca: _Authorities, now: datetime,
              crl_url: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey, Path, Path]:
    """The gateway's RFC 3161 time-stamping certificate: ``tsa.pem`` (with the sub-CA) and
    its key ``tsa.key`` (mode 0600). Returns (certificate, key, cert path, key path)."""
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = _issue(
        _name("DEMO Dịch vụ dấu thời gian cổng tỉnh (TEST ONLY)", ou=TEST_OU),
        tsa_key.public_key(), ca.subca, ca.subca_key,
        not_before=now - timedelta(days=1), not_after=now + timedelta(days=1825),
        key_usage=_ku(sign=True), eku=(ExtendedKeyUsageOID.TIME_STAMPING,), eku_critical=True,
        crl_url=crl_url,
    )
    tsa_pem = _write(out_dir / "tsa.pem", _pem(tsa) + _pem(ca.subca))
    tsa_key_pem = out_dir / "tsa.key"
    tsa_key_pem.touch(mode=0o600)
    tsa_key_pem.chmod(0o600)
    _write(tsa_key_pem, tsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return tsa, tsa_key, tsa_pem, tsa_key_pem


def _make_gateway_signer(out_dir: Path, ca: _Authorities, now: datetime, pw: bytes,
                         crl_url: str) -> DemoClerk:
    """The provincial gateway signs province events with its own certificate under the same
    root; counters pin it (by SHA-256) at enrolment."""
    gw_key = _new_key("rsa")
    gw_cert = _issue(
        _name("Cổng tỉnh DEMO — ký sự kiện (TEST ONLY)", ou="DEMO gateway"),
        gw_key.public_key(), ca.subca, ca.subca_key, not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=730), key_usage=_ku(sign=True), eku=_CLERK_EKU,
        crl_url=crl_url,
    )
    gw_p12 = _write(out_dir / "gateway.p12", pkcs12.serialize_key_and_certificates(
        b"gateway", gw_key, gw_cert, [ca.subca, ca.root],
        serialization.BestAvailableEncryption(pw)))
    return DemoClerk("gateway", "valid", "rsa", gw_p12,
                     _write(out_dir / "gateway.pem", _pem(gw_cert)), gw_cert, gw_key)


def _write_crls(out_dir: Path, ca: _Authorities, now: datetime, revoked: Sequence[str],
                made: dict[str, DemoClerk]) -> tuple[Path, Path, Path]:
    """The sub-CA's CRL (revoking the ``revoked`` clerks a minute ago) as ``crl.der``,
    ``crl.pem`` and ``crl/subca.crl``, and the root's empty CRL as ``crl/root.crl``.
    Returns (crl.der, crl.pem, crl folder)."""
    revoked_at = now - timedelta(minutes=1)
    sub_crl = issue_crl(
        ca.subca, ca.subca_key,
        [(made[n].cert.serial_number, revoked_at) for n in revoked if n in made],
    )
    root_crl = issue_crl(ca.root, ca.root_key, [])
    crl_der = _write(out_dir / "crl.der", sub_crl.public_bytes(serialization.Encoding.DER))
    crl_pem = _write(out_dir / "crl.pem", sub_crl.public_bytes(serialization.Encoding.PEM))
    crl_dir = out_dir / "crl"
    crl_dir.mkdir(exist_ok=True)
    _write(crl_dir / "subca.crl", sub_crl.public_bytes(serialization.Encoding.DER))
    _write(crl_dir / "root.crl", root_crl.public_bytes(serialization.Encoding.DER))
    return crl_der, crl_pem, crl_dir


def _manifest(now: datetime, gateway: DemoClerk, crl_url: str, root_crl_url: str,
              revoked: Sequence[str], made: dict[str, DemoClerk]) -> dict[str, Any]:
    """What ``manifest.json`` says about the files (never the password)."""
    return {
        "test_only": True,
        "warning": "DEMO PKI — KHÔNG DÙNG THẬT. Test only: never trust these certificates.",
        "generated_at": now.isoformat(),
        "root": "root.pem",
        "subca": "subca.pem",
        "chain": "chain.pem",
        "untrusted_root": "other-root.pem",
        "tsa": {"cert": "tsa.pem", "key": "tsa.key"},
        "gateway": {"p12": "gateway.p12", "cert": "gateway.pem",
                    "sha256": gateway.cert.fingerprint(hashes.SHA256()).hex()},
        "crl": {"der": "crl.der", "pem": "crl.pem", "dir": "crl", "url": crl_url,
                "root_url": root_crl_url, "revoked": [n for n in revoked if n in made]},
        "p12_password": "given by the caller (not stored)",
        "clerks": {
            c.name: {
                "p12": c.p12.name,
                "cert": c.cert_pem.name,
                "status": c.status,
                "key_type": "ECDSA P-256" if c.key_type == "ec" else "RSA-2048",
                "subject": c.cert.subject.rfc4514_string(),
                "serial_hex": format(c.cert.serial_number, "x"),
                "sha256": c.cert.fingerprint(hashes.SHA256()).hex(),
                "not_before": c.cert.not_valid_before_utc.isoformat(),
                "not_after": c.cert.not_valid_after_utc.isoformat(),
            }
            for c in made.values()
        },
    }


def make_demo_pki(
    out_dir: Path,
    *,
    clerks: Sequence[str] = ("clerk1", "clerk2", "clerk3"),
    revoked: Sequence[str] = ("clerk3",),
    password: str = "demo",  # noqa: S107 - the TEST-ONLY demo PKI's published password
    crl_url: str = DEFAULT_CRL_URL,
    root_crl_url: str | None = None,
) -> DemoPki:
    """Generate root, sub-CA, clerk PKCS#12 files, CRLs and a manifest into `out_dir`.

    The second clerk gets an ECDSA P-256 key, the others RSA-2048, so both algorithms are
    always exercised. Special certificates for failure tests: expired, notyet (not yet valid),
    wrong_usage (keyCertSign only), untrusted (from another root), expiring (in 10 days).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    root_crl_url = root_crl_url or crl_url.rsplit("/", 1)[0] + "/root.crl"
    pw = password.encode()

    ca = _make_authorities(now, root_crl_url)
    made = {name: _make_clerk(out_dir, ca, now, name, status, kind, pw, crl_url)
            for name, status, kind in _clerk_specs(clerks, revoked)}
    tsa, tsa_key, tsa_pem, tsa_key_pem = _make_tsa(out_dir, ca, now, crl_url)
    gateway = _make_gateway_signer(out_dir, ca, now, pw, crl_url)
    crl_der, crl_pem, crl_dir = _write_crls(out_dir, ca, now, revoked, made)
    root_pem = _write(out_dir / "root.pem", _pem(ca.root))
    subca_pem = _write(out_dir / "subca.pem", _pem(ca.subca))
    chain_pem = _write(out_dir / "chain.pem", _pem(ca.subca) + _pem(ca.root))
    _write(out_dir / "other-root.pem", _pem(ca.other_root))

    manifest = _manifest(now, gateway, crl_url, root_crl_url, revoked, made)
    manifest_path = out_dir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return DemoPki(
        out_dir=out_dir, root=ca.root, subca=ca.subca, root_key=ca.root_key,
        subca_key=ca.subca_key, other_root=ca.other_root, root_pem=root_pem,
        subca_pem=subca_pem, chain_pem=chain_pem, crl_der=crl_der, crl_pem=crl_pem,
        crl_dir=crl_dir, crl_url=crl_url, manifest=manifest_path, clerks=made, tsa=tsa,
        tsa_key=tsa_key, tsa_pem=tsa_pem, tsa_key_pem=tsa_key_pem, gateway=gateway,
    )


# ---------------------------------------------------------------------------------------------
# SoftHSM


def softhsm_env(softhsm_conf_dir: Path) -> dict[str, str]:
    """Write a SoftHSM2 config whose tokens live in `softhsm_conf_dir/tokens`; return the env
    (SOFTHSM2_CONF) a process needs *before* it loads the module."""
    conf_dir = Path(softhsm_conf_dir)
    tokens = conf_dir / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = conf_dir / "softhsm2.conf"
    if not conf.exists():
        conf.write_text(
            f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
            "slots.removable = false\n",
            encoding="utf-8",
        )
    return {"SOFTHSM2_CONF": str(conf)}


def _softhsm_labels(env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        ["softhsm2-util", "--show-slots"], env={**os.environ, **env},  # noqa: S607 - on PATH
        capture_output=True, text=True, check=False,
    ).stdout
    return [m.strip() for m in re.findall(r"^\s*Label:\s*(.*)$", out, re.M)]


def load_into_softhsm(
    pki: DemoPki,
    clerk: str,
    *,
    token_label: str,
    pin: str,
    so_pin: str,
    softhsm_conf_dir: Path,
    module: str = SOFTHSM_MODULE,
) -> dict[str, Any]:
    """Initialise a SoftHSM token (unless one with this label exists) and import the clerk's
    key (sensitive, non-extractable) and certificate under the same CKA_ID.

    Sets SOFTHSM2_CONF in this process's environment so a later in-process load of the module
    sees the token; a process that already loaded SoftHSM with another config will not.
    PINs go to child processes via stdin/env, never on a command line we log.
    """
    c = pki.clerks[clerk]
    env = softhsm_env(softhsm_conf_dir)
    os.environ.update(env)
    if token_label not in _softhsm_labels(env):
        # softhsm2-util takes PINs only as arguments; they are demo PINs for a throw-away token.
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", token_label,  # noqa: S607
             "--pin", pin, "--so-pin", so_pin],
            env={**os.environ, **env}, capture_output=True, text=True, check=True,
        )
    key_id = c.cert.fingerprint(hashes.SHA1())[:8]  # noqa: S303 - an object id, not security
    job = {
        "module": module,
        "token_label": token_label,
        "label": clerk,
        "id": key_id.hex(),
        "key": base64.b64encode(
            c.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        ).decode(),
        "key_type": c.key_type,
        "cert": base64.b64encode(c.cert.public_bytes(serialization.Encoding.DER)).decode(),
    }
    root = str(Path(__file__).resolve().parent.parent)
    child_env = {**os.environ, **env, "MOTCUA_IMPORT_PIN": pin,
                 "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    cmd, extra = child_command("signing.demo_pki", "--softhsm-import")
    r = subprocess.run(cmd, input=json.dumps(job), env={**child_env, **extra},
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"SoftHSM import failed: {r.stderr.strip()[-500:]}")
    return {
        "module": module,
        "token_label": token_label,
        "key_label": clerk,
        "key_id": key_id.hex(),
        "softhsm2_conf": env["SOFTHSM2_CONF"],
        "cert_sha256": c.cert.fingerprint(hashes.SHA256()).hex(),
    }


def child_command(module: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """(argv, extra environment) running `python -m module args` in a child process. In the
    packaged app `sys.executable` is the bundle itself, which has no `-m`: its entry script runs
    the module named by MOTCUA_RUN_MODULE instead (packaging/motcua_entry.py)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args], {"MOTCUA_RUN_MODULE": module}
    return [sys.executable, "-m", module, *args], {}


def _softhsm_import_main() -> int:
    """Child-process half of load_into_softhsm: loads the module with the right SOFTHSM2_CONF."""
    import pkcs11
    from pkcs11 import Attribute
    from pkcs11.util.ec import decode_ec_private_key
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    job = json.loads(sys.stdin.read())
    pin = os.environ.pop("MOTCUA_IMPORT_PIN")
    lib = pkcs11.lib(job["module"])
    token = lib.get_token(token_label=job["token_label"])
    key_der = base64.b64decode(job["key"])
    attrs = (decode_ec_private_key(key_der) if job["key_type"] == "ec"
             else decode_rsa_private_key(key_der))
    common = {Attribute.TOKEN: True, Attribute.ID: bytes.fromhex(job["id"]),
              Attribute.LABEL: job["label"]}
    attrs.update(common)
    attrs.update({Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
                  Attribute.EXTRACTABLE: False, Attribute.SIGN: True})
    # A signing key: no decryption or unwrapping.
    attrs.update({Attribute.DECRYPT: False, Attribute.UNWRAP: False})
    if job["key_type"] == "ec":
        attrs[Attribute.DERIVE] = False
    cert_attrs = decode_x509_certificate(base64.b64decode(job["cert"]))
    cert_attrs.update(common)
    with token.open(user_pin=pin, rw=True) as session:
        session.create_object(attrs)
        session.create_object(cert_attrs)
    return 0


if __name__ == "__main__":
    if "--softhsm-import" in sys.argv:
        sys.exit(_softhsm_import_main())
    print("usage: motcua pki demo --out DIR", file=sys.stderr)
    sys.exit(2)


def issue_gateway_signer(pki: DemoPki, out_dir: Path, *, name: str = "gateway2",
                         password: str = "demo",  # noqa: S107 - TEST-ONLY demo PKI
                         days: int = 730) -> DemoClerk:
    """Another gateway signing certificate under the demo sub-CA (a rotation's new
    certificate): ``NAME.p12`` (with its chain) and ``NAME.pem`` in `out_dir`."""
    now = datetime.now(UTC).replace(microsecond=0)
    key = _new_key("rsa")
    cert = _issue(
        _name(f"Cổng tỉnh DEMO — ký sự kiện, {name} (TEST ONLY)", ou="DEMO gateway"),
        key.public_key(), pki.subca, pki.subca_key, not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=days), key_usage=_ku(sign=True), eku=_CLERK_EKU,
        crl_url=pki.crl_url,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    p12 = _write(out_dir / f"{name}.p12", pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, [pki.subca, pki.root],
        serialization.BestAvailableEncryption(password.encode())))
    return DemoClerk(name, "valid", "rsa", p12, _write(out_dir / f"{name}.pem", _pem(cert)),
                     cert, key)

"""Scans open with a real parser (pypdf, Pillow), not just a header; a refused or killed intake
leaves no file behind; `check` reports scans no dossier references."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app import intake
from app.context import open_counter
from app.errors import UserError
from localdb import backup as bk
from tests.helpers import (
    counts,
    demo_signer,
    dossier_json,
    make_image,
    make_pdf,
    motcua,
    shared_pki,
)

SIGNER = demo_signer()
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + os.urandom(4000)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def receive(counter, *scans, signer=SIGNER):
    return intake.receive(counter, intake.parse_request(dossier_json(), list(scans)),
                          clerk="lan", signer=signer)


def refused(counter, scan: Path) -> UserError:
    with pytest.raises(UserError) as err:
        receive(counter, scan)
    assert err.value.field == "attachments"
    assert "\n" not in err.value.vi and scan.name in err.value.vi
    assert counts(counter) == {"dossiers": 0, "events": 0, "outbox": 0, "attachments": 0}
    assert files_under(counter.settings.attachments_dir) == []  # nothing left behind
    return err.value


def test_pdf_header_followed_by_an_elf_binary_is_refused(counter, tmp_path):
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + ELF)
    e = refused(counter, scan)
    assert "PDF" in e.vi and "PDF" in e.en


def test_a_real_pdf_with_an_elf_appended_is_refused(counter, tmp_path):
    scan = make_pdf(tmp_path / "to-khai.pdf")
    scan.write_bytes(scan.read_bytes() + ELF)
    assert "%%EOF" in refused(counter, scan).en


@pytest.mark.parametrize("name, content", [
    ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
    ("anh.jpg", b"\xff\xd8\xff\xe0" + os.urandom(500) + b"\xff\xd9"),
    ("giay.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
])
def test_headers_without_a_readable_body_are_refused(counter, tmp_path, name, content):
    scan = tmp_path / name
    scan.write_bytes(content)
    refused(counter, scan)


def test_truncated_and_padded_images_are_refused(counter, tmp_path):
    png = make_image(tmp_path / "a.png", size=(300, 300))
    data = png.read_bytes()
    png.write_bytes(data[: len(data) // 2] + data[-12:])  # IEND kept, image data cut
    refused(counter, png)
    jpg = make_image(tmp_path / "b.jpg", "JPEG", size=(300, 300))
    jpg.write_bytes(jpg.read_bytes() + ELF)
    refused(counter, jpg)


def test_password_protected_pdf_is_refused(counter, tmp_path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.encrypt("secret")
    scan = tmp_path / "locked.pdf"
    with open(scan, "wb") as fh:
        w.write(fh)
    assert "mật khẩu" in refused(counter, scan).vi


def test_real_pdf_png_and_jpeg_are_stored_by_content(counter, tmp_path):
    scans = [make_pdf(tmp_path / "to-khai.pdf"), make_image(tmp_path / "cccd.png"),
             make_image(tmp_path / "anh.jpg", "JPEG")]
    d = receive(counter, *scans)
    kinds = {a["name"]: a["media_type"] for a in d["attachments"]}
    assert kinds == {"to-khai.pdf": "application/pdf", "cccd.png": "image/png",
                     "anh.jpg": "image/jpeg"}
    for a, src in zip(sorted(d["attachments"], key=lambda a: a["name"]),
                      sorted(scans, key=lambda p: p.name), strict=True):
        assert bk.attachment_path(counter.settings.attachments_dir, a["sha256"]).read_bytes() \
            == src.read_bytes()
    assert not files_under(counter.settings.attachments_dir / ".incoming")
    assert bk.integrity_problems(counter.store, counter.settings.attachments_dir) == []


class FailingSigner:
    """clerk1's identity (bound to the clerk by the fixture), but the token fails at signing."""

    def __init__(self, counter) -> None:
        with demo_signer("clerk1", counter) as real:
            self.info = real.info

    def sign(self, data: bytes) -> bytes:
        raise RuntimeError("token removed")


def test_an_intake_that_fails_after_the_scan_was_copied_leaves_nothing(counter, tmp_path):
    scan = make_pdf(tmp_path / "to-khai.pdf")
    with pytest.raises(RuntimeError):
        receive(counter, scan, signer=FailingSigner(counter))
    assert counts(counter)["dossiers"] == 0
    assert files_under(counter.settings.attachments_dir) == []


KILLED_INTAKE = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from app import intake
    from app.context import open_counter
    from app.settings import Settings
    from signing.signer import P12Signer
    from tests.helpers import dossier_json

    class SlowSigner:
        with P12Signer.open(Path({p12!r}), "demo") as _real:  # clerk1, bound to 'lan'
            info = _real.info
        def sign(self, data):
            print("signing", flush=True)
            time.sleep(120)
            return b""

    c = open_counter(Settings(data_dir=Path({data!r})))
    intake.receive(c, intake.parse_request(dossier_json(), [Path({scan!r})]), clerk="lan",
                   signer=SlowSigner())
""")


def test_a_killed_intake_leaves_nothing_after_the_next_start(counter, tmp_path):
    scan = make_pdf(tmp_path / "to-khai.pdf", pad=100_000)
    code = KILLED_INTAKE.format(root=str(Path(__file__).resolve().parent.parent),
                                data=str(counter.settings.data_dir), scan=str(scan),
                                p12=str(shared_pki().clerk("clerk1").p12))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "signing"  # scan staged, transaction open
        incoming = counter.settings.attachments_dir / ".incoming"
        assert len(files_under(incoming)) == 1
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    # a new start (any command, the window) cleans what the killed process left
    with open_counter(counter.settings) as again:
        assert counts(again)["dossiers"] == 0
    assert files_under(counter.settings.attachments_dir) == []


def test_a_committed_scan_not_yet_moved_is_put_in_place_at_start(counter, tmp_path):
    d = receive(counter, make_image(tmp_path / "cccd.png"))
    sha = d["attachments"][0]["sha256"]
    final = bk.attachment_path(counter.settings.attachments_dir, sha)
    incoming = counter.settings.attachments_dir / ".incoming"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    part = incoming / f"{sha}.{dead.pid}-{'0' * 32}.part"
    os.replace(final, part)  # as if killed between the commit and the rename
    with open_counter(counter.settings) as again:
        assert final.exists() and not part.exists()
        assert bk.integrity_problems(again.store, again.settings.attachments_dir) == []


def test_check_reports_scans_no_dossier_references_but_not_intakes_in_progress(
        counter, tmp_path, data_dir):
    from app import repair

    receive(counter, make_pdf(tmp_path / "to-khai.pdf"))
    stray = counter.settings.attachments_dir / "ab" / ("ab" + "0" * 62)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left over")
    staged = counter.settings.attachments_dir / ".incoming" / f"{os.getpid()}-{'b' * 32}.part"
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(b"an intake copying right now")
    found = [f for f in repair.findings(counter) if f["kind"] == "scan_unreferenced"]
    assert [Path(f["path"]) for f in found] == [stray]
    r = motcua("check", data_dir=data_dir)
    assert r.returncode == 1 and r.stdout.count("ab0000000000") == 1, r.stdout
    repair.repair(counter, remove_scans=True)
    assert not stray.exists() and staged.exists()  # never removes an intake's staged copy


def test_age_alone_retires_a_stale_part_of_a_live_pid(counter, tmp_path):
    incoming = counter.settings.attachments_dir / ".incoming"
    incoming.mkdir(parents=True)
    part = incoming / f"{os.getppid()}-{'a' * 32}.part"
    part.write_bytes(b"x")
    with open_counter(counter.settings):
        assert part.exists()  # a live process may still be copying it
    old = time.time() - 2 * 24 * 3600
    os.utime(part, (old, old))
    with open_counter(counter.settings):
        assert not part.exists()

"""Strict input: every limit and coercion case is refused with one line naming the field and
its limit, in Vietnamese (English on request), and nothing is written; text is NFC; control
characters never get in, and what the CLI prints is escaped."""

from __future__ import annotations

import json
import unicodedata

import pytest

from app import accounts, actions, inputs, intake, queries
from app.errors import UserError, ValidationError
from tests.helpers import counts, demo_signer, dossier_json, motcua, shared_pki

SIGNER = demo_signer()
P12 = ("--p12", str(shared_pki().clerk("clerk1").p12), "--secret-env", "P12_PW")


def applicant(**over) -> dict:
    return {**dossier_json()["applicant"], **over}


def doc(name="Giấy chứng sinh", **over) -> dict:
    return {"name": name, "form": "original", "count": 1, **over}


# (change to the intake document, GUI field, fragment naming the limit in vi, in en)
CASES = [
    ({"applicant": applicant(full_name="Đ" * 101)}, "full_name", "tối đa 100 ký tự", "100 characters"),
    ({"applicant": applicant(full_name=["a"])}, "full_name", "chuỗi ký tự", "must be text"),
    ({"applicant": applicant(full_name=12)}, "full_name", "chuỗi ký tự", "must be text"),
    ({"applicant": applicant(full_name="Nguyễn\x00An")}, "full_name", "U+0000", "U+0000"),
    ({"applicant": applicant(full_name="An\x1b[31m")}, "full_name", "U+001B", "U+001B"),
    ({"applicant": applicant(full_name="\u202eAn")}, "full_name", "U+202E", "U+202E"),
    ({"applicant": applicant(full_name="An\u0085")}, "full_name", "U+0085", "U+0085"),
    ({"applicant": applicant(address={"detail": "x" * 301})}, "address", "tối đa 300 ký tự",
     "300 characters"),
    ({"applicant": applicant(address={"detail": "12 Lê Lợi\x1b"})}, "address", "U+001B", "U+001B"),
    ({"applicant": applicant(phone=912345678)}, "phone", "chuỗi ký tự", "must be text"),
    ({"applicant": applicant(phone="0912 abc 678")}, "phone", "9–12 chữ số", "9–12 digits"),
    ({"applicant": applicant(email="a" * 255)}, "email", "254", "254"),
    ({"note": "n" * 2001}, "note", "tối đa 2.000 ký tự", "2,000 characters"),
    ({"note": "ghi chú\x07"}, "note", "U+0007", "U+0007"),
    ({"documents": [doc(f"Giấy {i}") for i in range(101)]}, "documents", "tối đa 100 mục",
     "100 items"),
    ({"documents": [doc("g" * 301)]}, "documents", "tối đa 300 ký tự", "300 characters"),
    ({"documents": [doc(count=1.5)]}, "documents", "từ 1 đến 99", "from 1 to 99"),
    ({"documents": [doc(count="2")]}, "documents", "từ 1 đến 99", "from 1 to 99"),
    ({"documents": [doc(count=100)]}, "documents", "từ 1 đến 99", "from 1 to 99"),
    ({"documents": "Giấy chứng sinh"}, "documents", "danh sách", "list"),
    ({"documents": [["a"]]}, "documents", "đối tượng JSON", "JSON object"),
    ({"sets": 21}, "sets", "từ 1 đến 20", "from 1 to 20"),
    ({"sets": 0}, "sets", "từ 1 đến 20", "from 1 to 20"),
    ({"sets": 1.5}, "sets", "từ 1 đến 20", "from 1 to 20"),
    ({"sets": 2.0}, "sets", "từ 1 đến 20", "from 1 to 20"),
    ({"sets": "2"}, "sets", "từ 1 đến 20", "from 1 to 20"),
    ({"sets": True}, "sets", "từ 1 đến 20", "from 1 to 20"),
    ({"sets": 10 ** 5000}, "sets", "từ 1 đến 20", "from 1 to 20"),
    ({"fee_vnd": 1e40}, "fee_vnd", "từ 0 đến 100.000.000", "from 0 to 100,000,000"),
    ({"fee_vnd": 100_000_001}, "fee_vnd", "từ 0 đến 100.000.000", "from 0 to 100,000,000"),
    ({"fee_vnd": -1}, "fee_vnd", "từ 0 đến 100.000.000", "from 0 to 100,000,000"),
    ({"fee_vnd": "50000"}, "fee_vnd", "từ 0 đến 100.000.000", "from 0 to 100,000,000"),
    ({"procedure_code": ["1.001193"]}, "procedure_code", "chuỗi ký tự", "must be text"),
    ({"channel": "fax"}, "channel", "in_person", "in_person"),
    ({"fees": 0}, "", "fees", "fees"),
]


@pytest.mark.parametrize(("change", "field", "vi", "en"), CASES,
                         ids=[f"{i}-{c[1] or 'unknown'}" for i, c in enumerate(CASES)])
def test_each_limit_and_coercion_is_one_line_naming_field_and_limit(counter, change, field, vi, en):
    with pytest.raises(ValidationError) as err:
        req = intake.parse_request(dossier_json(**change))
        intake.receive(counter, req, clerk="lan", signer=SIGNER)
    e = err.value
    assert field in e.by_field("vi"), e.by_field("vi")
    assert vi in e.message("vi") and en in e.message("en"), (e.vi, e.en)
    for text in (e.message("vi"), e.message("en")):
        assert "\n" not in text and len(text) < 400  # one line, never the input echoed whole
    assert counts(counter) == {"dossiers": 0, "events": 0, "outbox": 0, "attachments": 0}


def test_several_errors_at_once_each_tied_to_its_field():
    with pytest.raises(ValidationError) as err:
        intake.parse_request(dossier_json(
            applicant=applicant(full_name="", phone="x", citizen_id="123"), sets=99,
            documents=[]))
    fields = err.value.by_field("vi")
    assert {"full_name", "phone", "citizen_id", "sets", "documents"} <= set(fields)
    assert "\n" not in err.value.message("vi")


def test_a_60_mb_name_is_refused_without_echoing_it():
    """How fast the refusal is, is measured in bench/bench_intake.py (a test never times)."""
    big = "a" * 60_000_000
    with pytest.raises(ValidationError) as err:
        intake.parse_request(dossier_json(applicant=applicant(full_name=big)))
    assert "tối đa 100 ký tự" in err.value.vi and len(err.value.vi) < 200


def test_text_is_nfc_and_trimmed(counter):
    nfd = unicodedata.normalize("NFD", "  Đặng   Thị Hương ")
    note = unicodedata.normalize("NFD", "Khách   hẹn\r\nchiều thứ Hai")
    req = intake.parse_request(dossier_json(
        applicant=applicant(full_name=nfd, address={"province_code": "79", "commune_code": "26740",
                                                    "detail": unicodedata.normalize("NFD", "12 Lê Lợi")}),
        documents=[doc(unicodedata.normalize("NFD", "Tờ khai"))], note=note))
    d = intake.receive(counter, req, clerk="lan", signer=SIGNER)
    assert d["applicant"]["full_name"] == "Đặng Thị Hương"
    assert unicodedata.is_normalized("NFC", d["applicant"]["full_name"])
    assert d["applicant"]["address"]["detail"] == "12 Lê Lợi"
    assert d["documents"][0]["name"] == "Tờ khai"
    body = json.loads(counter.store.query("SELECT payload FROM events")[0]["payload"])
    assert body["data"]["note"] == "Khách   hẹn\nchiều thứ Hai"  # a note keeps its line break
    assert unicodedata.is_normalized("NFC", body["data"]["note"])
    assert queries.search(counter, "dang thi huong")["results"]


def test_valid_optional_fields_may_be_empty_or_null():
    req = intake.parse_request(dossier_json(
        applicant=applicant(gender=None, email=None, phone="", date_of_birth="", citizen_id=""),
        fee_vnd=None, note=None, documents=["Giấy chứng sinh"]))
    assert req.fee_vnd is None and req.note == "" and req.applicant.gender is None
    assert req.documents[0].name == "Giấy chứng sinh"
    assert intake.parse_request(dossier_json(fee_vnd=100_000_000, sets=20)).sets == 20


def test_actions_and_account_names_follow_the_same_text_rules(counter):
    cases = [
        (lambda: actions.request_supplement(counter, "X", [{"name": "Bản sao"}], reason="r" * 2001,
                                            clerk="lan", signer=None), "reason", "2.000"),
        (lambda: actions.request_supplement(counter, "X", [{"name": f"g{i}"} for i in range(101)],
                                            reason="thiếu", clerk="lan", signer=None), "items", "100"),
        (lambda: actions.request_supplement(counter, "X", [{"name": "Bản sao", "count": "2"}],
                                            reason="thiếu", clerk="lan", signer=None), "items", "99"),
        (lambda: actions.request_supplement(counter, "X", [{"name": "a\x1b"}], reason="thiếu",
                                            clerk="lan", signer=None), "items", "U+001B"),
        (lambda: actions.return_result(counter, "X", recipient_name="N" * 101, clerk="lan",
                                       signer=None), "recipient_name", "100"),
        (lambda: actions.return_result(counter, "X", recipient_name="An\x00", clerk="lan",
                                       signer=None), "recipient_name", "U+0000"),
        (lambda: actions.record_withdrawal(counter, "X", reason="lý do\x1b", clerk="lan",
                                           signer=None), "reason", "U+001B"),
        (lambda: actions.record_withdrawal(counter, "X", reason=" ", clerk="lan", signer=None),
         "reason", "bắt buộc"),
        (lambda: actions.record_supplement_received(counter, "X", note="n" * 2001, clerk="lan",
                                                    signer=None), "note", "2.000"),
        (lambda: accounts.add_user(counter.store, "hoa", "Hoa\x1b[2J", "clerk", "mat-khau-123"),
         "display_name", "U+001B"),
        (lambda: accounts.add_user(counter.store, "hoa", "H" * 101, "clerk", "mat-khau-123"),
         "display_name", "100"),
    ]
    before = counter.store.scalar("SELECT count(*) FROM audit")
    for call, field, fragment in cases:
        with pytest.raises(UserError) as err:
            call()
        e = err.value
        assert isinstance(e, ValidationError) and field in e.by_field("vi"), (field, e.vi)
        assert fragment in e.vi and "\n" not in e.vi, e.vi
    assert counter.store.scalar("SELECT count(*) FROM audit") == before
    assert counter.store.scalar("SELECT count(*) FROM users") == 1


def test_json_reader_refuses_huge_numbers_and_files_with_one_line():
    doc_ = inputs.load_json('{"sets": ' + "9" * 5000 + "}", source="d.json")
    with pytest.raises(ValidationError) as err:
        inputs.validate(inputs.IntakeIn, {**dossier_json(), **doc_})
    assert "Số bộ hồ sơ" in err.value.vi and "20" in err.value.vi
    for text in ("[" * 100_000, '{"a": NaN}x', "x" * (2 << 20)):
        with pytest.raises(UserError) as e:
            inputs.load_json(text, source="d.json")
        assert "\n" not in e.value.vi and "d.json" in e.value.vi


def _setup_cli(data_dir):
    assert motcua("init", "--agency-code", "000.20.27.H57", "--counter", "2",
                  data_dir=data_dir).returncode == 0
    r = motcua("user", "add", "lan", "--name", "Nguyễn Thị Lan", "--password-env", "PW",
               data_dir=data_dir, env={"PW": "mat-khau-demo"})
    assert r.returncode == 0, r.stderr
    for pem in (shared_pki().root_pem, shared_pki().subca_pem):
        assert motcua("trust", "add", str(pem), data_dir=data_dir).returncode == 0
    from tests.helpers import bind_clerk1

    bind_clerk1(data_dir)


def test_cli_refuses_1e40_fee_and_5000_digit_sets_cleanly(data_dir, tmp_path):
    _setup_cli(data_dir)
    base = json.dumps(dossier_json(), ensure_ascii=False)[:-1]
    cases = [(base + ', "fee_vnd": 1e40}', "Lệ phí", "100.000.000", "Fee", "100,000,000"),
             (base + ', "sets": ' + "7" * 5000 + "}", "Số bộ hồ sơ", "20", "Number of sets", "20"),
             (base + ', "sets": 1.5}', "Số bộ hồ sơ", "20", "Number of sets", "20")]
    for text, vi_field, vi_limit, en_field, en_limit in cases:
        f = tmp_path / "d.json"
        f.write_text(text, encoding="utf-8")
        for lang, fld, limit in (("vi", vi_field, vi_limit), ("en", en_field, en_limit)):
            r = motcua("intake", "--file", str(f), *P12, data_dir=data_dir, lang=lang,
                       env={"P12_PW": "demo"})
            assert r.returncode == 2, r.stderr
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
            assert fld in lines[0] and limit in lines[0], lines[0]
    r = motcua("list", "--json", data_dir=data_dir)
    assert json.loads(r.stdout) == []


def test_cli_prints_stored_control_characters_escaped(data_dir, tmp_path):
    """A store written by an older version may hold control characters: list, search and
    show print them escaped, never raw."""
    _setup_cli(data_dir)
    f = tmp_path / "d.json"
    f.write_text(json.dumps(dossier_json(), ensure_ascii=False), encoding="utf-8")
    r = motcua("intake", "--file", str(f), *P12, data_dir=data_dir, env={"P12_PW": "demo"})
    assert r.returncode == 0, r.stderr
    code = json.loads(r.stdout)["code"]
    from app.context import open_counter
    from app.settings import Settings

    evil = "Đặng\x1b[2J\x00Hương\u202e\x85"
    with open_counter(Settings(data_dir=data_dir)) as c, c.store.write() as conn:
        data = json.loads(conn.execute("SELECT data FROM dossiers").fetchone()[0])
        data["applicant"]["full_name"] = evil
        conn.execute("UPDATE dossiers SET applicant_name = ?, data = ?",
                     (evil, json.dumps(data, ensure_ascii=False)))
    outputs = [motcua("list", data_dir=data_dir), motcua("search", "dang", data_dir=data_dir),
               motcua("show", code, data_dir=data_dir), motcua("list", "--json", data_dir=data_dir),
               motcua("show", code, "--json", data_dir=data_dir)]
    for r in outputs:
        # `show` renders from the verified signed events and flags the edited projection
        # (exit 1); whatever it prints is escaped too
        assert r.returncode in (0, 1), r.stderr
        assert not any(ch in r.stdout + r.stderr for ch in "\x1b\x00\u202e\x85"), repr(r.stdout)
    assert outputs[0].returncode == outputs[1].returncode == outputs[3].returncode == 0
    assert "Đặng\\x1b[2J\\x00Hương\\u202e\\x85" in outputs[0].stdout
    assert json.loads(outputs[3].stdout)[0]["applicant_name"] == evil  # JSON stays exact


def test_cli_names_the_real_size_of_a_too_large_file(data_dir, tmp_path):
    doc = dossier_json()
    doc["note"] = "n" * 5_000_000  # a 5 MB document: the message must not say "1.0 MB"
    f = tmp_path / "big.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for lang, expected in (("vi", "(5.0 MB; tối đa 1 MB)"), ("en", "(5.0 MB; limit 1 MB)")):
        r = motcua("intake", "--file", str(f), *P12, data_dir=data_dir, lang=lang,
                   env={"P12_PW": "demo"})
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], r.stderr

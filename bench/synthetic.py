"""Synthetic dossiers with realistic Vietnamese names, for benchmarks and large-store tests.

Family-name shares follow published estimates (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 % …), so
the commonest search words ("nguyen", "thi", "van") hit as many rows as they would in reality.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta

FAMILY = [
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 5.1), ("Huỳnh", 2.0),
    ("Phan", 4.5), ("Vũ", 3.9), ("Võ", 2.0), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.8), ("Đào", 0.7), ("Trương", 0.6),
    ("Mai", 0.4), ("Tạ", 0.3), ("Lương", 0.4), ("Chu", 0.3), ("Cao", 0.4),
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Xuân", "Thanh", "Công", "Ngọc", "Hoàng", "Tiến"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Bích", "Hồng", "Phương"]
GIVEN_M = ["An", "Anh", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Hải", "Hiếu", "Hùng", "Huy",
           "Khánh", "Long", "Minh", "Nam", "Phong", "Quân", "Quang", "Sơn", "Thắng", "Trung",
           "Tuấn", "Tú", "Việt", "Vinh", "Khoa", "Phúc", "Lâm", "Đăng", "Toàn"]
GIVEN_F = ["Anh", "Chi", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
           "Ngọc", "Nhung", "Phương", "Tâm", "Thảo", "Thu", "Trang", "Vân", "Yến", "Hiền", "Huyền",
           "Loan", "My", "Oanh", "Quyên", "Thủy", "Trinh", "Uyên", "Xuân"]
PROVINCE_CODES = ["001", "079", "031", "048", "092", "036", "038", "040", "046", "056", "066"]
PHONE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "089", "070", "077", "081", "083"]
PROCEDURES = [("1.001193", "Thủ tục đăng ký khai sinh"), ("1.000656", "Thủ tục đăng ký khai tử"),
              ("1.000894", "Thủ tục đăng ký kết hôn"), ("2.000815", "Chứng thực bản sao từ bản chính"),
              ("1.004873", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân")]


START = date(2020, 1, 1)


def person(rng: random.Random) -> tuple[str, str, str]:
    family = rng.choices([f for f, _ in FAMILY], weights=[w for _, w in FAMILY])[0]
    female = rng.random() < 0.5
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    year = rng.randint(1940, 2007)
    century_gender = (0 if year < 2000 else 2) + (1 if female else 0)
    cid = f"{rng.choice(PROVINCE_CODES)}{century_gender}{year % 100:02d}{rng.randint(0, 999999):06d}"
    phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9999999):07d}" if rng.random() < 0.85 else ""
    return f"{family} {middle} {given}", cid, phone


def rows(n: int, *, seed: int = 1, agency: str = "000.20.27.H57") -> Iterator[dict]:
    """n dossier projection rows, oldest first (rowid order = receipt order)."""
    rng = random.Random(seed)
    per_day = 400
    for i in range(n):
        d = START + timedelta(days=i // per_day)
        yy, mm, dd = d.year % 100, d.month, d.day
        name, cid, phone = person(rng)
        code = f"{agency}-{yy:02d}{mm:02d}{dd:02d}-{1 + i % 5:02d}{i % per_day + 1:04d}"
        proc = rng.choice(PROCEDURES)
        yield {
            "id": f"00000000-0000-7000-8000-{i:012d}", "code": code, "procedure_code": proc[0],
            "procedure_name": proc[1], "applicant_name": name, "citizen_id": cid, "phone": phone,
            "channel": "in_person", "received_at": f"20{yy:02d}-{mm:02d}-{dd:02d}T09:00:00+07:00",
            "appointment_at": None, "status": rng.choice([2, 4, 9, 10, 10, 10]), "clerk": "lan",
            "data": json.dumps({"synthetic": True}), "updated_at": "2026-01-01T00:00:00+07:00",
        }


def fill(conn: sqlite3.Connection, n: int, *, seed: int = 1, batch: int = 20_000) -> None:
    """Insert n synthetic dossiers (with their search index) in large transactions."""
    from localdb import dossiers as repo

    conn.execute("BEGIN")
    for i, row in enumerate(rows(n, seed=seed), 1):
        repo.insert_dossier(conn, row)
        if i % batch == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")

"""Signing errors a clerk can act on, in Vietnamese and English.

`signing` may not import `app`, so this mirrors `app.errors.UserError` by shape (`.vi`, `.en`,
`.code`, `message(lang)`): the CLI and GUI print it with `app.errors.message_of` duck typing.
Messages never contain a password, PIN or key material.
"""

from __future__ import annotations

from datetime import datetime


class SigningError(Exception):
    """Signing (or opening a key source) was refused; nothing was signed."""

    def __init__(self, vi: str, en: str, *, code: str, tries_left: int | None = None):
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.code = code  # machine-readable reason, see module constants below
        self.tries_left = tries_left  # PIN tries before lock, when the token says so

    def message(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi

    def __repr__(self) -> str:
        return f"SigningError(code={self.code!r}, en={self.en!r})"


# Codes (kept as plain strings so callers can compare without importing this module).
WRONG_SECRET = "wrong_secret"
TOKEN_NOT_FOUND = "token_not_found"
TOKEN_REMOVED = "token_removed"
PIN_LOCKED = "pin_locked"
CERT_EXPIRED = "cert_expired"
CERT_NOT_YET_VALID = "cert_not_yet_valid"
UNTRUSTED_ISSUER = "untrusted_issuer"
KEY_USAGE = "key_usage"
REVOKED = "revoked"
NO_KEY = "no_key"
MALFORMED = "malformed"
FILE_NOT_FOUND = "file_not_found"
MODULE_ERROR = "module_error"
AMBIGUOUS = "ambiguous"
UNSUPPORTED_KEY = "unsupported_key"
TOKEN_ERROR = "token_error"


def _d(t: datetime) -> str:
    return t.strftime("%d/%m/%Y %H:%M UTC")


def wrong_p12_password() -> SigningError:
    return SigningError(
        "Sai mật khẩu tệp chứng thư số (.p12). Vui lòng nhập lại.",
        "Wrong password for the certificate file (.p12). Please try again.",
        code=WRONG_SECRET,
    )


def p12_not_found(path: str) -> SigningError:
    return SigningError(
        f"Không tìm thấy tệp chứng thư số: {path}",
        f"Certificate file not found: {path}",
        code=FILE_NOT_FOUND,
    )


def p12_malformed(path: str) -> SigningError:
    return SigningError(
        f"Tệp {path} không phải tệp chứng thư số PKCS#12 hợp lệ hoặc đã bị hỏng.",
        f"{path} is not a valid PKCS#12 certificate file, or it is damaged.",
        code=MALFORMED,
    )


def no_key(where: str) -> SigningError:
    return SigningError(
        f"Không tìm thấy khóa bí mật và chứng thư số để ký trong {where}.",
        f"No private key with a matching certificate to sign with was found in {where}.",
        code=NO_KEY,
    )


def wrong_pin(count: int | None, tries_left: int | None, final_try: bool) -> SigningError:
    """Wrong token PIN; counts are only stated when we (or the token) actually know them."""
    vi = "Sai mã PIN của thiết bị ký số (USB token)."
    en = "Wrong PIN for the signing token (USB token)."
    if count:
        vi += f" Đây là lần sai thứ {count}."
        en += f" This is wrong attempt number {count}."
    if tries_left is not None:
        vi += f" Còn {tries_left} lần thử trước khi token bị khóa."
        en += f" {tries_left} tries left before the token locks."
    elif final_try:
        vi += " CẢNH BÁO: chỉ còn 1 lần thử, nhập sai nữa token sẽ bị khóa."
        en += " WARNING: one try left; one more wrong PIN locks the token."
    return SigningError(vi, en, code=WRONG_SECRET, tries_left=1 if final_try else tries_left)


def pin_locked() -> SigningError:
    return SigningError(
        "Mã PIN của token đã bị khóa do nhập sai quá nhiều lần. Hãy liên hệ bộ phận CNTT "
        "hoặc đơn vị cấp chứng thư số để mở khóa.",
        "The token PIN is locked after too many wrong attempts. Contact IT or the "
        "certificate issuer to unlock it.",
        code=PIN_LOCKED,
    )


def token_not_found(what: str) -> SigningError:
    return SigningError(
        f"Không tìm thấy thiết bị ký số (token) {what}. Hãy cắm token vào máy và thử lại.",
        f"Signing token {what} not found. Plug the token in and try again.",
        code=TOKEN_NOT_FOUND,
    )


def token_removed() -> SigningError:
    return SigningError(
        "Thiết bị ký số (token) đã bị rút ra hoặc mất kết nối. Hãy cắm lại token và đăng nhập lại.",
        "The signing token was removed or disconnected. Plug it back in and log in again.",
        code=TOKEN_REMOVED,
    )


def module_error(path: str) -> SigningError:
    return SigningError(
        f"Không nạp được thư viện PKCS#11 của token: {path}. Hãy kiểm tra trình điều khiển token.",
        f"Cannot load the token's PKCS#11 library: {path}. Check the token driver installation.",
        code=MODULE_ERROR,
    )


def token_error(detail: str) -> SigningError:
    return SigningError(
        f"Thiết bị ký số báo lỗi khi ký ({detail}). Hãy thử lại hoặc liên hệ bộ phận CNTT.",
        f"The signing token reported an error ({detail}). Try again or contact IT.",
        code=TOKEN_ERROR,
    )


def ambiguous(what_vi: str, what_en: str) -> SigningError:
    return SigningError(
        f"Có nhiều {what_vi} phù hợp; hãy chọn cụ thể (theo nhãn hoặc số sê-ri).",
        f"More than one matching {what_en}; choose one explicitly (by label or serial).",
        code=AMBIGUOUS,
    )


def unsupported_key(kind: str) -> SigningError:
    return SigningError(
        f"Loại khóa {kind} không được hỗ trợ (chỉ hỗ trợ RSA và ECDSA P-256).",
        f"Key type {kind} is not supported (RSA and ECDSA P-256 only).",
        code=UNSUPPORTED_KEY,
    )


def cert_expired(not_after: datetime) -> SigningError:
    return SigningError(
        f"Chứng thư số đã hết hạn từ {_d(not_after)}. Không thể ký; hãy gia hạn chứng thư số.",
        f"The certificate expired on {_d(not_after)}. Cannot sign; renew the certificate.",
        code=CERT_EXPIRED,
    )


def cert_not_yet_valid(not_before: datetime) -> SigningError:
    return SigningError(
        f"Chứng thư số chưa có hiệu lực (hiệu lực từ {_d(not_before)}). Hãy kiểm tra đồng hồ "
        "máy tính hoặc chờ đến ngày hiệu lực.",
        f"The certificate is not valid yet (valid from {_d(not_before)}). Check the computer "
        "clock or wait until then.",
        code=CERT_NOT_YET_VALID,
    )


def key_usage_wrong() -> SigningError:
    return SigningError(
        "Chứng thư số này không được phép dùng để ký số (thiếu mục đích digitalSignature/"
        "nonRepudiation). Hãy chọn đúng chứng thư số ký của cán bộ.",
        "This certificate may not be used for signing (key usage lacks digitalSignature/"
        "nonRepudiation). Choose the clerk's signing certificate.",
        code=KEY_USAGE,
    )


def untrusted_issuer(detail: str = "") -> SigningError:
    extra_vi = f" ({detail})" if detail else ""
    return SigningError(
        "Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực tin cậy cấp (không xây dựng "
        f"được chuỗi tới chứng thư gốc đã cấu hình){extra_vi}.",
        "The certificate was not issued by a trusted certification authority (no chain to a "
        f"configured trust anchor){extra_vi}.",
        code=UNTRUSTED_ISSUER,
    )


def revoked(when: datetime | None) -> SigningError:
    at_vi = f" từ {_d(when)}" if when else ""
    at_en = f" on {_d(when)}" if when else ""
    return SigningError(
        f"Chứng thư số đã bị thu hồi{at_vi}. Không thể ký bằng chứng thư này.",
        f"The certificate was revoked{at_en}. It cannot be used to sign.",
        code=REVOKED,
    )

"""Signing errors a clerk can act on, in Vietnamese and English.

`signing` may not import `app`, so this mirrors `app.errors.UserError` by shape (`.vi`, `.en`,
`.code`, `message(lang)`): the CLI and GUI print it with `app.errors.message_of` duck typing.
Messages never contain a password, PIN or key material.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

#: Vietnam time (UTC+7, no daylight saving): every time shown to a person is in it.
VN_TZ = timezone(timedelta(hours=7), "ICT")


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
WRONG_SECRET = "wrong_secret"  # noqa: S105 - reason codes, not secrets (also below)
TOKEN_NOT_FOUND = "token_not_found"  # noqa: S105
TOKEN_REMOVED = "token_removed"  # noqa: S105
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
TOKEN_ERROR = "token_error"  # noqa: S105
CA_CERTIFICATE = "ca_certificate"
NO_KEY_USAGE = "no_key_usage"
MISSING_INTERMEDIATE = "missing_intermediate"
NOT_BOUND = "not_bound"


def vn_time(t: datetime, lang: str = "vi") -> str:
    """dd/mm/yyyy HH:MM in Vietnam time, labelled (certificate times are stored in UTC)."""
    if t.tzinfo is None:
        from datetime import UTC

        t = t.replace(tzinfo=UTC)
    label = "giờ Việt Nam" if lang != "en" else "Vietnam time"
    return f"{t.astimezone(VN_TZ):%d/%m/%Y %H:%M} ({label})"


def _d(t: datetime) -> str:
    return vn_time(t, "vi")


def _de(t: datetime) -> str:
    return vn_time(t, "en")


#: CRLReason (RFC 5280 §5.3.1) in words: cryptography's ReasonFlags value -> (vi, en).
REASON_WORDS: dict[str, tuple[str, str]] = {
    "unspecified": ("không nêu lý do", "no reason given"),
    "keyCompromise": ("khóa bí mật bị lộ", "key compromise"),
    "cACompromise": ("khóa của tổ chức chứng thực bị lộ", "CA key compromise"),
    "affiliationChanged": ("thay đổi đơn vị công tác", "affiliation changed"),
    "superseded": ("đã được thay bằng chứng thư mới", "superseded by a new certificate"),
    "cessationOfOperation": ("ngừng hoạt động", "cessation of operation"),
    "certificateHold": ("tạm dừng hiệu lực", "certificate on hold"),
    "privilegeWithdrawn": ("bị rút quyền sử dụng", "privilege withdrawn"),
    "aACompromise": ("khóa của cơ quan cấp thuộc tính bị lộ", "attribute authority compromise"),
    "removeFromCRL": ("gỡ khỏi danh sách thu hồi", "removed from the CRL"),
}


def reason_words(reason: str | None, lang: str = "vi") -> str:
    vi, en = REASON_WORDS.get(reason or "unspecified", (reason or "", reason or ""))
    return en if lang == "en" else vi


def wrong_p12_password(count: int | None = None) -> SigningError:
    vi_n = f" Đây là lần sai thứ {count}." if count else ""
    en_n = f" This is wrong attempt number {count}." if count else ""
    return SigningError(
        f"Sai mật khẩu tệp chứng thư số (.p12).{vi_n} Vui lòng nhập lại.",
        f"Wrong password for the certificate file (.p12).{en_n} Please try again.",
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
        f"The certificate expired on {_de(not_after)}. Cannot sign; renew the certificate.",
        code=CERT_EXPIRED,
    )


def cert_not_yet_valid(not_before: datetime) -> SigningError:
    return SigningError(
        f"Chứng thư số chưa có hiệu lực (hiệu lực từ {_d(not_before)}). Hãy kiểm tra đồng hồ "
        "máy tính hoặc chờ đến ngày hiệu lực.",
        f"The certificate is not valid yet (valid from {_de(not_before)}). Check the computer "
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


def ca_certificate(subject: str) -> SigningError:
    return SigningError(
        f"Chứng thư số «{subject}» là chứng thư của tổ chức chứng thực (CA:TRUE), không phải "
        "chứng thư ký của cán bộ; không được dùng để ký hồ sơ.",
        f"Certificate «{subject}» is a certification authority certificate (CA:TRUE), not a "
        "clerk's signing certificate; it may not sign dossiers.",
        code=CA_CERTIFICATE,
    )


def no_key_usage(subject: str) -> SigningError:
    return SigningError(
        f"Chứng thư số «{subject}» không có phần mở rộng keyUsage nên không nêu mục đích ký số; "
        "chỉ chứng thư có digitalSignature hoặc nonRepudiation mới được ký hồ sơ.",
        f"Certificate «{subject}» has no keyUsage extension, so it states no signing purpose; "
        "only certificates with digitalSignature or nonRepudiation may sign dossiers.",
        code=NO_KEY_USAGE,
    )


def policy_error(code: str, subject: str) -> SigningError:
    """The SigningError for a `signing.certs` policy problem code."""
    if code == CA_CERTIFICATE:
        return ca_certificate(subject)
    if code == NO_KEY_USAGE:
        return no_key_usage(subject)
    return key_usage_wrong()


def missing_intermediate(issuer_cn: str) -> SigningError:
    return SigningError(
        f"Thiếu chứng thư trung gian «{issuer_cn}» (tổ chức đã cấp chứng thư số này): máy chỉ "
        "tin chứng thư gốc nên không dựng được chuỗi tin cậy. Bộ phận CNTT cần cài chứng thư "
        "này bằng 'motcua trust add TỆP'.",
        f"The intermediate certificate «{issuer_cn}» (the CA that issued this certificate) is "
        "missing: only the root is trusted here, so no chain can be built. IT must install it "
        "with 'motcua trust add FILE'.",
        code=MISSING_INTERMEDIATE,
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


def revoked(when: datetime | None, reason: str | None = None) -> SigningError:
    at_vi = f" từ {_d(when)}" if when else ""
    at_en = f" on {_de(when)}" if when else ""
    why_vi = f", lý do: {reason_words(reason)}" if when else ""
    why_en = f", reason: {reason_words(reason, 'en')}" if when else ""
    return SigningError(
        f"Chứng thư số đã bị thu hồi{at_vi}{why_vi}. Không thể ký bằng chứng thư này.",
        f"The certificate was revoked{at_en}{why_en}. It cannot be used to sign.",
        code=REVOKED,
    )

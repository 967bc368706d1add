"""Why an event was parked, in words a clerk reads (Vietnamese first, English available).

The gateway answers with machine reasons (``not_your_code``…); the counter stores
``"<reason>: <detail>"`` with the parked event and shows the words from this table.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # authorization table (sync/gateway/authz.py)
    "type_not_allowed": ("Cổng tỉnh không nhận loại sự kiện này.",
                         "The gateway does not accept this type of event."),
    "province_only": ("Chỉ tỉnh mới được ghi sự kiện này, quầy không được gửi.",
                      "Only the province records this event; a counter may not send it."),
    "bad_code": ("Mã hồ sơ sai dạng hoặc ngày trong mã không khớp ngày tiếp nhận.",
                 "The dossier code is malformed or its date is not the receipt date."),
    "not_your_code": ("Mã hồ sơ không thuộc dải mã của quầy này (cơ quan hoặc số quầy khác).",
                      "The dossier code is outside this counter's range (other agency or"
                      " counter)."),
    "future_dated": ("Ngày của hồ sơ ở tương lai so với đồng hồ cổng tỉnh: kiểm tra đồng hồ"
                     " máy này.",
                     "The dossier is dated in the future by the gateway's clock: check this"
                     " PC's clock."),
    "not_your_dossier": ("Hồ sơ thuộc trung tâm khác, quầy này không được ghi vào.",
                         "The dossier belongs to another centre; this counter may not act on"
                         " it."),
    "unknown_dossier": ("Cổng tỉnh chưa có hồ sơ này (sự kiện tiếp nhận chưa được gửi).",
                        "The gateway does not have this dossier yet (its receipt was not"
                        " delivered)."),
    "wrong_counter": ("Sự kiện ghi tên quầy khác với quầy đã đăng ký.",
                      "The event names another counter than the enrolled one."),
    "dossier_conflict": ("Mã hồ sơ đã thuộc về một hồ sơ khác trên cổng tỉnh.",
                         "The dossier code already belongs to another dossier at the gateway."),
    "id_conflict": ("Cổng tỉnh đã có sự kiện cùng mã nhưng khác nội dung.",
                    "The gateway holds another event under the same id."),
    # envelope and signature
    "malformed": ("Sự kiện sai cấu trúc.", "The event is malformed."),
    "not_canonical": ("Nội dung đã ký không ở dạng chuẩn.", "The signed content is not canonical."),
    "envelope_mismatch": ("Phần bao ngoài khác nội dung đã ký.",
                          "The envelope differs from the signed content."),
    "bad_origin": ("Quầy chỉ được gửi sự kiện của quầy.", "A counter may only send counter events."),
    "signature_missing": ("Sự kiện chưa được ký.", "The event is not signed."),
    "bad_signature": ("Chữ ký không khớp nội dung.", "The signature does not match the content."),
    "digest_mismatch": ("Chữ ký không khớp nội dung.", "The signature does not match the content."),
    "signature_malformed": ("Chữ ký hỏng.", "The signature is damaged."),
    "untrusted": ("Chứng thư ký không thuộc tổ chức cấp được tin cậy.",
                  "The signing certificate is not from a trusted issuer."),
    "revoked": ("Chứng thư ký đã bị thu hồi.", "The signing certificate was revoked."),
    "expired_at_signing": ("Chứng thư ký đã hết hạn khi ký.",
                           "The signing certificate had expired when signing."),
    "not_yet_valid_at_signing": ("Chứng thư ký chưa có hiệu lực khi ký.",
                                 "The signing certificate was not yet valid when signing."),
    "key_usage": ("Chứng thư không được phép dùng để ký.",
                  "The certificate may not be used for signing."),
    # attachments and whole-request refusals
    "attachment_missing": ("Cổng tỉnh chưa nhận đủ tệp đính kèm.",
                           "The gateway does not hold the attachments yet."),
    "attachment_mismatch": ("Tệp đính kèm khác với mô tả trong hồ sơ.",
                            "The attachment differs from what the dossier says."),
    "attachment_missing_locally": ("Tệp đính kèm không còn trên máy này.",
                                   "The attachment is missing from this PC."),
    "attachment_altered": ("Tệp đính kèm trên máy này đã bị thay đổi.",
                           "The attachment on this PC was altered."),
    "hash_mismatch": ("Nội dung tệp đính kèm không khớp mã băm.",
                      "The attachment's content does not match its hash."),
    "too_large": ("Sự kiện quá lớn để gửi.", "The event is too large to send."),
    "too_deep": ("Nội dung lồng nhau quá sâu.", "The content is nested too deeply."),
    "number_too_large": ("Nội dung có số quá lớn.", "The content has a number that is too large."),
    "bad_json": ("Nội dung không phải JSON hợp lệ.", "The content is not valid JSON."),
    "bad_request": ("Cổng tỉnh từ chối yêu cầu vì sai cấu trúc.",
                    "The gateway refused the request as malformed."),
    "gateway_error": ("Cổng tỉnh gặp lỗi mỗi khi nhận riêng sự kiện này; đã tạm giữ để các sự"
                      " kiện khác vẫn được gửi.",
                      "The gateway fails whenever it receives this event alone; it was parked"
                      " so the others still go through."),
    "not_your_centre": ("Sự kiện của trung tâm khác.", "An event of another centre."),
    # gateway signing-certificate rotation (app/rotation.py) and province events
    "gateway_retired": ("Sự kiện của tỉnh được ký bằng chứng thư cũ của cổng tỉnh sau khi "
                        "chứng thư đó đã được thay thế.",
                        "A province event signed by the gateway's replaced certificate after"
                        " it was replaced."),
    "not_gateway": ("Sự kiện của tỉnh không được ký bằng chứng thư đã ghim của cổng tỉnh.",
                    "A province event not signed by the gateway's pinned certificate."),
    "rotation_malformed": ("Thông báo đổi chứng thư ký của cổng tỉnh sai cấu trúc.",
                           "The gateway's signing-certificate announcement is malformed."),
    "rotation_mismatch": ("Thông báo đổi chứng thư ký ghi dấu vân tay khác chứng thư kèm theo.",
                          "The signing-certificate announcement names another fingerprint than"
                          " the certificate it carries."),
    "rotation_bad_signature": ("Chữ ký của thông báo đổi chứng thư ký không hợp lệ.",
                               "The signing-certificate announcement's signature is not valid."),
    "rotation_unpinned_signer": ("Thông báo đổi chứng thư ký không do chứng thư đã ghim của "
                                 "cổng tỉnh ký.",
                                 "The signing-certificate announcement is not signed by the"
                                 " gateway's pinned certificate."),
    "rotation_replay": ("Thông báo đổi chứng thư ký đã cũ (phát lại) hoặc do chứng thư đã bị "
                        "thay thế ký.",
                        "The signing-certificate announcement is old (replayed) or signed by a"
                        " certificate already replaced."),
    "rotation_conflict": ("Thông báo đổi chứng thư ký có thời điểm hiệu lực sớm hơn các sự kiện"
                          " của tỉnh mà chứng thư cũ đã ký và máy này đã nhận; không áp dụng.",
                          "The signing-certificate announcement takes effect before province"
                          " events the old certificate signed and this counter accepted; not"
                          " applied."),
    "rotation_untrusted_certificate": ("Chứng thư ký mới của cổng tỉnh không được tin cậy "
                                       "(chuỗi, hiệu lực, mục đích dùng khóa hoặc đã thu hồi).",
                                       "The gateway's new signing certificate is not trusted"
                                       " (chain, validity, key usage or revoked)."),
    # pulled events refused at this counter (app/evidence.pulled_event_problem, app/pullretry)
    "no_gateway_pin": ("Máy này chưa ghim chứng thư ký của cổng tỉnh nên chưa nhận sự kiện của "
                       "tỉnh.", "This counter has not pinned the gateway's signing certificate"
                       " yet, so it takes no province events."),
    "no_crl": ("Máy này chưa có danh sách thu hồi (CRL) của tổ chức cấp chứng thư ký.",
               "This counter has no revocation list (CRL) of the signing certificate's issuer."),
    "unsigned": ("Sự kiện nhận về không có chữ ký.", "The pulled event is not signed."),
    "payload_unreadable": ("Nội dung đã ký của sự kiện không đọc được.",
                           "The event's signed content cannot be read."),
    "body_mismatch": ("Phần bao ngoài của sự kiện khác nội dung đã ký.",
                      "The event's envelope differs from its signed content."),
    "origin_mismatch": ("Nguồn gốc sự kiện (quầy/tỉnh) đã bị đổi so với nội dung đã ký.",
                        "The event's origin (counter/province) was relabelled."),
    "signer_mismatch": ("Người ký thật khác người ký ghi trong nội dung đã ký.",
                        "The actual signer is not the signer named in the signed content."),
    "province_v1": ("Sự kiện của tỉnh theo định dạng cũ (v1) không được nhận.",
                    "A province event in the old format (v1) is not accepted."),
    "gateway_as_counter": ("Sự kiện của quầy lại do chứng thư của cổng tỉnh ký.",
                           "A counter event signed by the gateway's certificate."),
    "ca_certificate": ("Chứng thư ký là chứng thư của tổ chức cấp (CA), không được ký hồ sơ.",
                       "The signing certificate is a CA certificate, which may not sign"
                       " dossiers."),
    "no_key_usage": ("Chứng thư ký không ghi mục đích dùng khóa nên không được ký hồ sơ.",
                     "The signing certificate has no key usage, so it may not sign dossiers."),
    "timestamp_invalid": ("Dấu thời gian của chữ ký không hợp lệ.",
                          "The signature's time-stamp is not valid."),
    "event_conflict": ("Máy này đã có sự kiện cùng mã nhưng khác nội dung.",
                       "This counter holds another event under the same id."),
    # whole-round failures (sync status: last error)
    "tls_hostname": ("Chứng thư TLS của cổng tỉnh cấp cho tên máy khác (sai địa chỉ cổng?).",
                     "The gateway's TLS certificate is for another host name (wrong address?)."),
    "tls_expired": ("Chứng thư TLS của cổng tỉnh đã hết hạn.",
                    "The gateway's TLS certificate has expired."),
    "tls_not_yet_valid": ("Chứng thư TLS của cổng tỉnh chưa có hiệu lực (kiểm tra đồng hồ máy"
                          " này).",
                          "The gateway's TLS certificate is not valid yet (check this PC's"
                          " clock)."),
    "tls_untrusted": ("Chứng thư TLS của cổng tỉnh không do tổ chức được tin cậy cấp (kiểm tra"
                      " tệp CA).",
                      "The gateway's TLS certificate is not from a trusted issuer (check the CA"
                      " bundle)."),
    "connection": ("Không kết nối được cổng tỉnh.", "Cannot reach the gateway."),
    "proxy": ("Không qua được máy chủ proxy của mạng này để tới cổng tỉnh (bộ phận CNTT kiểm"
              " tra HTTPS_PROXY / NO_PROXY và tài khoản proxy).",
              "Cannot get through this network's proxy to the gateway (IT: check HTTPS_PROXY /"
              " NO_PROXY and the proxy account)."),
    "timeout": ("Cổng tỉnh không trả lời kịp.", "The gateway did not answer in time."),
    "tls_error": ("Không thiết lập được kết nối bảo mật (TLS) với cổng tỉnh; sẽ thử lại.",
                  "The secure (TLS) connection to the gateway could not be set up; retrying."),
    "rate_limited": ("Cổng tỉnh đang quá tải, yêu cầu gửi chậm lại; sẽ tự gửi lại.",
                     "The gateway is busy and asked to slow down; sending again by itself."),
    "store_unavailable": ("Cơ sở dữ liệu của cổng tỉnh tạm thời không dùng được; sẽ tự gửi lại.",
                          "The gateway's database is temporarily unavailable; sending again by"
                          " itself."),
    "internal_error": ("Cổng tỉnh gặp lỗi nội bộ; sẽ tự gửi lại (nếu kéo dài, báo tỉnh).",
                       "The gateway had an internal error; sending again by itself (tell the"
                       " province if it lasts)."),
    "http_5xx": ("Cổng tỉnh (hoặc máy chủ trung gian) báo lỗi; sẽ tự gửi lại.",
                 "The gateway (or a server in between) answered with an error; sending again by"
                 " itself."),
    "invalid_response": ("Câu trả lời nhận được không phải của cổng tỉnh hoặc bị hỏng; sẽ thử lại"
                         " (kiểm tra proxy hoặc địa chỉ cổng).",
                         "The answer received is not the gateway's or is damaged; retrying (check"
                         " the proxy or the gateway address)."),
    "missing_token": ("Máy này chưa có mã đăng ký với cổng tỉnh: bộ phận CNTT cần đăng ký lại"
                      " quầy.",
                      "This PC has no credential for the gateway: IT must enrol the counter"
                      " again."),
    "unknown_token": ("Cổng tỉnh không nhận mã đăng ký của quầy này: bộ phận CNTT cần đăng ký"
                      " lại quầy.",
                      "The gateway does not recognise this counter's credential: IT must enrol"
                      " the counter again."),
    "counter_revoked": ("Quầy này đã bị tỉnh thu hồi đăng ký: liên hệ bộ phận CNTT của tỉnh.",
                        "The province has revoked this counter's enrolment: contact the"
                        " province's IT."),
    "catalogue_rejected": ("Danh mục thủ tục nhận từ cổng tỉnh không hợp lệ nên không được dùng.",
                           "The procedure catalogue from the gateway is invalid and was not"
                           " installed."),
}


def _amount(seconds: float, lang: str) -> str:
    s = abs(seconds)
    units = ((86400, "ngày", "day"), (3600, "giờ", "hour"), (60, "phút", "minute"),
             (1, "giây", "second"))
    for size, vi, en in units:
        if s >= size * 1.5 or size == 1:
            n = round(s / size)
            if lang == "en":
                return f"{n} {en}{'' if n == 1 else 's'}"
            return f"{n} {vi}"
    return ""  # pragma: no cover


def clock_skew_words(skew_seconds: float | None, lang: str = "vi") -> str:
    """``skew_seconds`` is the gateway's clock minus this PC's (as measured): negative means
    this PC is ahead. "đồng hồ máy này nhanh 10 phút" / "this PC's clock is 10 minutes fast"."""
    if skew_seconds is None or abs(skew_seconds) < 1:
        return "đồng hồ máy này khớp với cổng tỉnh" if lang != "en" else \
            "this PC's clock agrees with the gateway's"
    fast = skew_seconds < 0
    amount = _amount(skew_seconds, lang)
    if lang == "en":
        return f"this PC's clock is {amount} {'fast' if fast else 'slow'}"
    return f"đồng hồ máy này {'nhanh' if fast else 'chậm'} {amount}"


def round_error_words(code: str | None) -> tuple[str, str] | None:
    """(vi, en) for the reason of a whole round's failure (`sync status`, the sync panel); an
    HTTP 5xx status without a reason of its own (``http_502`` from a proxy) gets its class's."""
    if not code:
        return None
    words = REASONS.get(code)
    if words is None and code.startswith("http_5"):
        words = REASONS["http_5xx"]
    return words


def reason_code(parked_reason: str | None) -> str:
    """The machine code in front of a stored ``"<code>: <detail>"``."""
    return (parked_reason or "").split(":", 1)[0].strip()


def reason_words(parked_reason: str | None, lang: str = "vi") -> str:
    """The clerk's sentence for a stored parked reason (the raw text when the code is new)."""
    code = reason_code(parked_reason)
    words = REASONS.get(code)
    if words is None:
        text = parked_reason or ""
        return ("Cổng tỉnh từ chối: " if lang != "en" else "Refused by the gateway: ") + text
    return words[1] if lang == "en" else words[0]

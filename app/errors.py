"""Errors a user can act on, carrying their message in Vietnamese and English.

The text lives where the error is raised, so no shared catalogue file has to change when a
module adds a rule. The CLI and the GUI pick the language; the log gets both plus context.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action: shown to the clerk, nothing was changed."""

    def __init__(self, vi: str, en: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.field = field  # form field the message belongs next to, if any
        self.code = code  # machine-readable reason

    def message(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


def is_user_facing(exc: BaseException) -> bool:
    """An error whose message was written for the clerk (UserError here, StoreError from
    localdb, SigningError from signing: the layers below may not import app, so each keeps its
    own small class with the same shape, and this is the one place that knows all three)."""
    from localdb.errors import StoreError
    from signing.errors import SigningError

    return isinstance(exc, UserError | StoreError | SigningError)


def message_of(exc: BaseException, lang: str = "vi") -> str:
    """The clerk's text for `exc` in `lang` (its str() for anything not user-facing)."""
    if is_user_facing(exc):
        return str(exc.message(lang))  # type: ignore[attr-defined]
    return str(exc)


class ValidationError(UserError):
    """Several field errors at once, so a form can show each next to its field."""

    def __init__(self, errors: list[UserError]):
        self.errors = errors
        super().__init__(
            "; ".join(e.vi.rstrip(".") for e in errors) + ".",
            "; ".join(e.en.rstrip(".") for e in errors) + ".",
            field=errors[0].field if len(errors) == 1 else None, code="validation",
        )

    def by_field(self, lang: str = "vi") -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.errors:
            key = e.field or ""
            out[key] = (out[key] + "; " if key in out else "") + e.message(lang)
        return out

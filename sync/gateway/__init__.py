"""Reference provincial gateway (``motcua-gateway``): FastAPI app over SQLite or PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.gateway.app import GatewayConfig, create_app

__all__ = ["GatewayConfig", "create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import sync.gateway.store` (CLI admin commands) does not pull in FastAPI.
    if name in __all__:
        from sync.gateway import app

        return getattr(app, name)
    raise AttributeError(name)

"""``python -m sync.gateway`` = ``motcua-gateway``."""

from sync.gateway.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

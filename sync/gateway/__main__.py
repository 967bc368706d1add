"""``python -m sync.gateway`` = ``motcua-gateway``."""

from sync.gateway.cli import main

raise SystemExit(main())

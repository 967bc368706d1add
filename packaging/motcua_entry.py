"""Entry point of the packaged `motcua` executable (PyInstaller script, not imported by the app).

Dispatch, in order:
* MOTCUA_SELFTEST_CHILD=qt: the Qt half of the self-test (app.selftest runs the bundle's own
  executable as its child, since a frozen app has no `python -c`);
* `--self-test` when the command line does not know the flag yet: app.selftest directly;
* everything else: the normal command line (`motcua` alone opens the counter window).
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    if os.environ.get("MOTCUA_SELFTEST_CHILD") == "qt":
        from ui.selftest_qt import qt_child_main

        return qt_child_main()
    argv = sys.argv[1:]
    if "--self-test" in argv:
        from app.cli import build_parser

        if "--self-test" not in build_parser()._option_string_actions:  # noqa: SLF001
            from app.selftest import cli

            return cli(argv)
    from app.cli import main as cli_main

    return int(cli_main() or 0)


if __name__ == "__main__":
    sys.exit(main())

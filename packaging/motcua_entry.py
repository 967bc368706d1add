"""Entry point of the packaged `motcua` executable (PyInstaller script, not imported by the app).

Dispatch, in order:
* MOTCUA_SELFTEST_CHILD=qt: the Qt half of the self-test (app.selftest runs the bundle's own
  executable as its child, since a frozen app has no `python -c`);
* MOTCUA_RUN_MODULE=<bundled module>: what `python -m <module>` does from source (child
  processes such as the SoftHSM import of `pki demo`; see signing/demo_pki.child_command);
* `--self-test` when the command line does not know the flag yet: app.selftest directly;
* everything else: the normal command line (`motcua` alone opens the counter window).
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    from app.failures import utf8_locale  # stdlib only: cheap before anything loads Qt

    utf8_locale()
    module = os.environ.pop("MOTCUA_RUN_MODULE", "")
    if module:  # a bundled module run as `python -m module` would be from source
        import runpy

        sys.argv = [sys.executable, *sys.argv[1:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    if os.environ.get("MOTCUA_SELFTEST_CHILD") == "qt":
        from app.gui import qt_selftest_child

        return qt_selftest_child()
    argv = sys.argv[1:]
    if "--self-test" in argv:
        from app.cli import build_parser

        if "--self-test" not in build_parser()._option_string_actions:
            from app.selftest import cli

            return cli(argv)
    from app.cli import main as cli_main

    return int(cli_main() or 0)


if __name__ == "__main__":
    sys.exit(main())

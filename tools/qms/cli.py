"""The argument parser of ./qms; each command lives in its own module."""

import argparse
import sys

from .common import QmsError

DESCRIPTION = """gov_qms developer entry point.

    ./qms run      set up what is missing, start the private PostgreSQL cluster,
                   create the demo database on first use (in zh_CN unless --lang en_US) and serve Odoo
    ./qms test     fresh test database, every test (pytest + browser tours), one count line
    ./qms lint     ruff and pylint-odoo over addons/, tests/ and tools/
    ./qms build    the addons' README.rst from readme/, one wheel per addon in dist/
    ./qms bench    the benchmark (tools/bench) on the private cluster; arguments go to it
    ./qms shell    Odoo shell on the run database
    ./qms i18n     merge new strings into each addon's i18n/zh_CN.po
    ./qms stop     stop a running `./qms run` and the PostgreSQL cluster (unless another command uses it)
"""


def build_parser():
    from . import bench, build, i18n, lint, serve, testing

    parser = argparse.ArgumentParser(prog="qms", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the suite with demo data")
    run.add_argument("--port", type=int, default=8069,
                     help="preferred HTTP port (default 8069, else the next free one)")
    run.add_argument("--update", action="store_true", help="update the gov_qms addons before serving")
    run.add_argument("--lang", default=serve.DEFAULT_LANG,
                     help="language loaded and given to the admin and demo users when the database is created "
                          "(default zh_CN; en_US keeps English)")
    run.add_argument("--keep-db-server", action="store_true",
                     help="leave the PostgreSQL cluster up on exit even if this command started it")
    run.set_defaults(func=serve.cmd_run)
    test = sub.add_parser("test", help="run every test on a fresh database")
    test.add_argument("--keep", action="store_true", help="keep the test database afterwards")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER,
                      help="arguments for pytest (e.g. -k name or a path); browser tours then do not run")
    test.set_defaults(func=testing.cmd_test)
    sub.add_parser("lint", help="ruff and pylint-odoo").set_defaults(func=lint.cmd_lint)
    build_cmd = sub.add_parser("build", help="render the addons' README.rst and build their wheels")
    build_cmd.add_argument("--dist", default="dist", help="folder for the wheels (default dist/)")
    build_cmd.set_defaults(func=build.cmd_build)
    bench_cmd = sub.add_parser("bench", help="run the benchmark (tools/bench); arguments go to it")
    bench_cmd.add_argument("bench_args", nargs=argparse.REMAINDER, help="arguments for the benchmark")
    bench_cmd.set_defaults(func=bench.cmd_bench)
    sub.add_parser("shell", help="Odoo shell on the run database").set_defaults(func=serve.cmd_shell)
    sub.add_parser("i18n", help="merge new strings into each addon's i18n/zh_CN.po").set_defaults(func=i18n.cmd_i18n)
    sub.add_parser("stop", help="stop ./qms run and PostgreSQL").set_defaults(func=serve.cmd_stop)
    return parser


def parse(argv):
    parser = build_parser()
    if argv[:1] == ["bench"]:  # everything after `bench` belongs to the benchmark, options included
        args = parser.parse_args(["bench"])
        args.bench_args = list(argv[1:])
        return args
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        return args.func(args)
    except QmsError as exc:
        print(f"qms: error: {exc}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        return 130

"""``./qms bench [args]``: the benchmark of tools/bench on the private cluster.

Ensures the venv and the cluster (as ``test`` does), writes ``var/bench.conf`` (Odoo on the
cluster's socket with this repository's addons path; the benchmark adds its own addons path), then
runs ``<venv python> -m tools.bench --odoo-config var/bench.conf [args]`` from the repository root and
returns its exit code. The cluster is stopped afterwards only if this command started it and no
other command uses it."""

import subprocess

from .common import ROOT, QmsError, say
from .odoo import OdooEnv
from .ports import free_port

BENCH_NEEDS = ("postgresql", "wkhtmltopdf", "cjk-font")


def bench_command(python, config, bench_args):
    return [str(python), "-m", "tools.bench", "--odoo-config", str(config), *bench_args]


def bench_available():
    return (ROOT / "tools" / "bench" / "__main__.py").exists()


def cmd_bench(args):
    if not bench_available():
        raise QmsError("the benchmark (tools/bench/__main__.py) is not in this checkout")
    env = OdooEnv.prepare(BENCH_NEEDS)
    say(env.description)
    with env.cluster.use("bench"):
        config = env.write_config("bench.conf", None, free_port(8369), max_cron_threads=0)
        say(f"running the benchmark with {config}")
        return subprocess.run(bench_command(env.python, config, args.bench_args), env=env.child_env(), cwd=ROOT,
                              check=False).returncode

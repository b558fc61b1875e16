"""A worker process per bench database: it loads that database's registry once, then generates its data or
runs the operations it is sent, each in its own transaction rolled back afterwards. One process per database
keeps each side's memory figures its own (an Odoo worker serves one database at a time)."""

import json
import logging
import multiprocessing
import traceback
from datetime import date

from .scales import SCALES


def _serve(connection, config_path, dbname, side):
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", str(config_path)], setup_logging=True)
    from . import generate, runner  # they import the addons: after the configuration puts them on the path
    # PDFs are rendered without an HTTP server: wkhtmltopdf's warning that it cannot fetch the assets, each time
    logging.getLogger("odoo.addons.base.models.ir_actions_report").setLevel(logging.ERROR)
    registry = Registry(dbname)

    def generate_data(scale_name, plan_path, today):
        cr = registry.cursor()
        try:
            from odoo import SUPERUSER_ID, api

            env = api.Environment(cr, SUPERUSER_ID, {})
            if side == "ours":
                facts, problems = generate.generate_qms(env, SCALES[scale_name], date.fromisoformat(today),
                                                        commit=cr.commit, plan_path=plan_path)
            else:
                facts, problems = generate.generate_oca(env, generate.load_plan(plan_path), commit=cr.commit)
            cr.commit()
            return {"facts": facts, "problems": problems}
        finally:
            cr.close()

    def catch_up(today):
        """A database built on an earlier day: the daily jobs of the days in between, done (and committed) as the
        server would have done them, up to yesterday; the marker's day moves to today."""
        from datetime import timedelta

        from odoo import SUPERUSER_ID, api

        cr = registry.cursor()
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            yesterday = date.fromisoformat(today) - timedelta(days=1)
            for model in ("qms.nonconformity", "qms.action"):
                env[model]._cron_escalate(today=yesterday)
            env.flush_all()
            marker = generate.read_marker(env)
            marker["facts"]["today"] = today
            env["ir.config_parameter"].set_param(generate.MARKER, json.dumps(marker))
            cr.commit()
            return marker["facts"]
        finally:
            cr.close()

    def run(key, which, facts):
        result = runner.run_operation(lambda: runner.registry_transaction(registry), facts, key, which)
        if key == "evidence_pack":
            # the ZIP written to the filestore by the rolled-back build: Odoo's own garbage collection removes it
            from odoo import SUPERUSER_ID, api

            with registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["ir.attachment"]._gc_file_store()
        return result

    handlers = {"generate": generate_data, "catch_up": catch_up, "run": run}
    connection.send(("ready", None))
    while True:
        command, args = connection.recv()
        if command == "stop":
            break
        try:
            connection.send(("ok", handlers[command](*args)))
        except Exception:
            connection.send(("error", traceback.format_exc()))


class Worker:
    """The main process's handle on a worker: `call` sends a command and waits for its answer."""

    def __init__(self, config_path, dbname, side):
        self.side, self.dbname = side, dbname
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, config_path, dbname, side), daemon=True,
                                       name=f"bench-{side}")
        self.process.start()
        status, _value = self.connection.recv()
        assert status == "ready"

    def call(self, command, *args):
        self.connection.send((command, args))
        status, value = self.connection.recv()
        if status == "error":
            raise WorkerError(f"{self.side} ({self.dbname}) {command}{args[:2]}:\n{value}")
        return value

    def stop(self):
        if self.process.is_alive():
            self.connection.send(("stop", ()))
            self.process.join(30)


class WorkerError(RuntimeError):
    pass

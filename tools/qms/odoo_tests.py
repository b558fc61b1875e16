"""Run Odoo's own test runner and write its results as JSON (Odoo prints them only as log text).

Run inside the project's venv from the repository root:
``python -m tools.qms.odoo_tests RESULTS.json -c odoo.conf -d DB --test-enable --test-tags=... --stop-after-init``

Odoo keeps each database's results in ``registry._assertion_report`` (an ``OdooTestResult``); this
wrapper records the id of every failed, erroring and skipped test as the runner reports it, runs
Odoo's command line unchanged, and writes
``{"databases": {db: {"tests_run", "failures", "errors", "skipped"}}, "failed": [...], "errored": [...],
"skipped": [[test id, reason]], "exit_code": n}``.
"""

import json
import sys


def _test_id(test):
    return getattr(test, "id", lambda: str(test))()


def main(argv):
    results_file, odoo_args = argv[0], argv[1:]
    from odoo.tests import result as odoo_result

    outcome = {"failed": [], "errored": [], "skipped": [], "databases": {}}
    cls = odoo_result.OdooTestResult
    add_failure, add_error, add_skip = cls.addFailure, cls.addError, cls.addSkip

    def addFailure(self, test, err):
        if not self._soft_fail:
            outcome["failed"].append(_test_id(test))
        return add_failure(self, test, err)

    def addError(self, test, err):
        if not self._soft_fail:
            outcome["errored"].append(_test_id(test))
        return add_error(self, test, err)

    def addSkip(self, test, reason):
        outcome["skipped"].append([_test_id(test), str(reason)])
        return add_skip(self, test, reason)

    cls.addFailure, cls.addError, cls.addSkip = addFailure, addError, addSkip
    sys.argv = [sys.argv[0], *odoo_args]
    exit_code = 0
    try:
        from odoo.cli.command import main as odoo_main

        odoo_main()
    except SystemExit as exc:
        exit_code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        from odoo.modules.registry import Registry

        for db, registry in list(Registry.registries.items()):
            report = getattr(registry, "_assertion_report", None)
            if report is not None:
                outcome["databases"][db] = {"tests_run": report.testsRun, "failures": report.failures_count,
                                            "errors": report.errors_count, "skipped": report.skipped}
        outcome["exit_code"] = exit_code
        with open(results_file, "w", encoding="utf-8") as out:
            json.dump(outcome, out, indent=1)
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The logic of ``./qms``, the developer command line, in small modules each testable on its own.

Standard library only: ``./qms`` runs with the system's ``python3`` before the virtual environment
exists. Modules:

- ``common``: paths, settings from the environment, errors and messages;
- ``system``: the Debian packages a command needs (checked per command, installed when root);
- ``odoo_source``: locating Odoo 19.0 (importable, ``ODOO_SRC``, or the official archive, or
  ``QMS_ODOO_ARCHIVE``) with a resumable, atomic download and extraction;
- ``bootstrap``: the project's virtual environment;
- ``cluster``: the private PostgreSQL cluster and the register of the commands using it;
- ``ports``: free TCP ports and who listens on them;
- ``odoo``: Odoo configuration files, processes, database creation;
- ``odoo_tests``: runs Odoo's test runner and writes its results as JSON (run inside the venv);
- ``testing``, ``serve``, ``i18n``, ``build``, ``bench``: the commands; ``cli``: the argument parser.
"""

"""``./qms i18n``: export each addon's strings and merge them into its i18n/zh_CN.po (new ones untranslated)."""

import subprocess

from .common import ADDONS, MODULES, ROOT, VAR, say
from .odoo import OdooEnv
from .ports import free_port

PO_HEADER = """# Translation of Odoo Server.
# This file contains the translation of the following modules:
# \t* {module}
#
msgid ""
msgstr ""
"Project-Id-Version: Odoo Server 19.0\\n"
"Report-Msgid-Bugs-To: \\n"
"Last-Translator: \\n"
"Language-Team: \\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: \\n"
"Plural-Forms: \\n"
"""


def cmd_i18n(_args):
    env = OdooEnv.prepare(["postgresql", "gettext"])
    db = "qms_i18n"
    with env.cluster.use("i18n"):
        try:
            env.cluster.drop_database(db)
            config = env.write_config("i18n.conf", db, free_port(8269), max_cron_threads=0)
            env.install(config, db, VAR / "log" / "i18n-install.log", demo=False)
            for module in MODULES:
                template = VAR / f"{module}.pot"
                env.odoo(config, "-d", db, "-o", str(template), module, subcommand=("i18n", "export"), check=True)
                po = ADDONS / module / "i18n" / "zh_CN.po"
                po.parent.mkdir(exist_ok=True)
                if not template.stat().st_size:  # no translatable terms yet
                    template.write_text(PO_HEADER.format(module=module))
                if not po.exists() or not po.stat().st_size:
                    po.write_text(template.read_text().replace('"Language-Team: \\n"\n', '"Language-Team: \\n"\n'
                                                              '"Language: zh_CN\\n"\n'))
                subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--no-wrap", "--update",
                                "--backup=none", str(po), str(template)], check=True)
                subprocess.run(["msgattrib", "--no-obsolete", "--no-wrap", "-o", str(po), str(po)], check=True)
                untranslated = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", str(po)],
                                              capture_output=True, text=True,
                                              check=True).stdout.count("\nmsgid ") - 1
                say(f"{po.relative_to(ROOT)}: {max(untranslated, 0)} strings to translate")
        finally:
            env.cluster.drop_database(db)
    return 0

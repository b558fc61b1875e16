"""Every user-facing string of the suite has its Chinese translation, and it loads."""

import ast
from pathlib import Path

import polib
from lxml import etree

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

ADDONS = Path(__file__).resolve().parent.parent / "addons"
MODULES = ("gov_qms_docs", "gov_qms_capa", "gov_qms_audit")


def demo_xmlids(module):
    """Demo records are sample content, not part of the product's vocabulary."""
    manifest = ast.literal_eval((ADDONS / module / "__manifest__.py").read_text())
    ids = set()
    for filename in manifest.get("demo", []):
        for record in etree.parse(str(ADDONS / module / filename)).iter("record"):
            ids.add(record.get("id") if "." in record.get("id") else f"{module}.{record.get('id')}")
    return ids


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_zh_cn_po_files_are_complete(self):
        for module in MODULES:
            with self.subTest(module=module):
                po = polib.pofile(str(ADDONS / module / "i18n" / "zh_CN.po"))
                self.assertEqual(po.metadata.get("Language"), "zh_CN")
                translated = {entry.msgid for entry in po.translated_entries()}
                demo = demo_xmlids(module)
                terms = {source for _module, _type, _name, res_id, source, _value, _comments
                         in TranslationModuleReader(self.env.cr, modules=[module]) if res_id not in demo}
                missing = sorted(terms - translated)
                self.assertFalse(missing, f"{len(missing)} strings of {module} lack a zh_CN translation "
                                          f"(run ./qms i18n, then translate): {missing[:10]}")
                self.assertFalse(po.fuzzy_entries(), "fuzzy translations are not used by Odoo")

    def test_chinese_interface_loads(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(list(MODULES), ["zh_CN"], overwrite=True)
        clause = self.env.ref("gov_qms_docs.iso_clause_9_2").with_context(lang="zh_CN")
        self.assertEqual(clause.name, "内部审核")
        tiers = dict(self.env["qms.document"].with_context(lang="zh_CN")._fields["tier"]
                     ._description_selection(self.env(context={"lang": "zh_CN"})))
        self.assertEqual(tiers["procedure"], "程序文件")

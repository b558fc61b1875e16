from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestQmsSettings(QmsDocsCase):
    """Quality > Configuration > Settings: the QMS office changes the QMS settings (not being a Settings
    administrator), nobody else does, and no other setting is reachable through them."""

    def test_the_qms_manager_saves_a_qms_setting(self):
        Settings = self.env["qms.config.settings"].with_user(self.qms_manager)
        settings = Settings.create({"qms_reminder_days": 4, "qms_supervise_after_days": 7})
        self.assertEqual(settings.execute()["tag"], "reload")
        self.assertEqual((self.company.qms_reminder_days, self.company.qms_supervise_after_days), (4, 7))
        settings.write({"qms_code_per_department": True})
        self.assertTrue(self.company.qms_code_per_department)
        self.assertEqual(Settings.create({}).qms_reminder_days, 4, "the form opens on the company's values")

    def test_others_cannot(self):
        for user in (self.clerk, self.bureau_head, self.controller, self.auditor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["qms.config.settings"].with_user(user).create({"qms_reminder_days": 9})
        self.assertNotEqual(self.company.qms_reminder_days, 9)

    def test_no_other_setting_and_no_other_company(self):
        settings = self.env["qms.config.settings"].with_user(self.qms_manager).create({})
        self.assertTrue(all(name.startswith("qms_") for name in settings._qms_company_fields()))
        other = self.env["res.company"].create({"name": "Other District"})
        with self.assertRaises(AccessError):
            self.env["qms.config.settings"].with_user(self.qms_manager).create({"company_id": other.id})
        with self.assertRaises(AccessError):
            settings.write({"company_id": other.id})
        # Odoo's own Settings stay the administrators'
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.qms_manager).create({})

    def test_menu_opens_the_qms_settings(self):
        menu = self.env.ref("gov_qms_docs.qms_settings_menu")
        self.assertEqual(menu.action.res_model, "qms.config.settings")
        self.assertIn(self.env.ref("gov_qms_docs.group_qms_manager"), menu.parent_id.group_ids)

from odoo.tests import new_test_user, tagged

from .tour_common import QmsTourCase


@tagged("post_install", "-at_install", "qms_ui")
class TestSettingsUi(QmsTourCase):
    """Quality > Configuration > Settings in the browser, as the QMS manager (who is not a Settings admin)."""

    def test_qms_manager_saves_the_ladder(self):
        manager = new_test_user(self.env, login="tour_settings_manager", name="Tour Settings Manager",
                                groups="base.group_user,gov_qms_docs.group_qms_manager")
        self.assertFalse(manager.has_group("base.group_system"))
        self.env.company.qms_supervise_after_days = 5
        self.qms_tour("/odoo/action-gov_qms_docs.qms_config_settings_action", "gov_qms_settings_tour",
                      login="tour_settings_manager")
        self.assertEqual(self.env.company.qms_supervise_after_days, 6)

import os
import tempfile
from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from .tour_common import SCREENSHOTS_ENV, QmsTourCase


@tagged("post_install", "-at_install", "qms_ui")
class TestTourCommon(QmsTourCase):
    """The shared tour helper: a tour in a language, its last screen saved under <folder>/<lang>/<name>.png."""

    def _run(self, lang):
        new_test_user(self.env, login="tour_common_user", name="Tour Common User", groups="base.group_user")
        expected = "zh-CN" if lang == "zh_CN" else "en-US"
        # the tour's only step waits for the html element to carry the language the helper set
        code = (f"odoo.loader.modules.get('@web/core/user').user.lang === '{expected}' && "
                "document.documentElement.setAttribute('data-qms-lang-expected', '1'); "
                "odoo.startTour('gov_qms_tour_common_tour', {stepDelay: 0, keepWatchBrowser: false, debug: false, "
                "startUrl: '/odoo', delayToCheckUndeterminisms: 0})")
        with tempfile.TemporaryDirectory() as folder, patch.dict(os.environ, {SCREENSHOTS_ENV: folder}):
            path = self.qms_tour("/odoo", "gov_qms_tour_common_tour", login="tour_common_user",
                                 screenshot="smoke", lang=lang, code=code)
            self.assertEqual(str(path), os.path.join(folder, lang, "smoke.png"))
            with open(path, "rb") as picture:
                self.assertEqual(picture.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertEqual(self.env["res.users"].search([("login", "=", "tour_common_user")]).lang, lang)

    def test_english(self):
        self._run("en_US")

    def test_chinese(self):
        self._run("zh_CN")

    def test_no_folder_no_picture(self):
        new_test_user(self.env, login="tour_common_user", name="Tour Common User", groups="base.group_user")
        with patch.dict(os.environ, {SCREENSHOTS_ENV: ""}):
            code = ("document.documentElement.setAttribute('data-qms-lang-expected', '1'); "
                    "odoo.startTour('gov_qms_tour_common_tour', {stepDelay: 0, startUrl: '/odoo'})")
            self.assertIsNone(self.qms_tour("/odoo", "gov_qms_tour_common_tour", login="tour_common_user",
                                            screenshot="smoke", code=code))

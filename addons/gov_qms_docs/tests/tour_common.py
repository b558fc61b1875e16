"""Shared helper for the suite's browser tours: run a tour as a user, in a language, and keep a screenshot.

Usage (tours must find their elements by name/model/data attributes, never by English text, so that the same
tour runs in English and in Chinese)::

    from odoo.addons.gov_qms_docs.tests.tour_common import QmsTourCase

    @tagged("post_install", "-at_install", "qms_ui")
    class TestDashboardUi(QmsTourCase):
        def test_dashboard_en(self):
            self.qms_tour("/odoo/action-x", "my_tour", login="tour_manager", screenshot="dashboard", lang="en_US")

        def test_dashboard_zh(self):
            self.qms_tour("/odoo/action-x", "my_tour", login="tour_manager", screenshot="dashboard", lang="zh_CN")

One test method per language: each method runs in its own transaction, so whatever the tour wrote in English is
rolled back before the Chinese run. When the environment variable ``QMS_SCREENSHOTS`` names a folder, the final
screen of a successful tour is saved as ``<folder>/<lang>/<screenshot>.png`` (no file otherwise, and none when the
tour fails: Odoo's own failure screenshots go to its screenshots folder as usual).
"""
import base64
import logging
import os
import pathlib
from unittest.mock import patch

from odoo.tests import HttpCase
from odoo.tests.common import ChromeBrowser

_logger = logging.getLogger(__name__)

SCREENSHOTS_ENV = "QMS_SCREENSHOTS"
TOUR_LANGS = ("en_US", "zh_CN")

# Evaluated in the page once the tour has succeeded, before the picture: web fonts (the CJK ones) loaded, no pending
# animation frame, and a short pause for charts' transitions.
SETTLE_JS = """
(async () => {
    if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    await new Promise((resolve) => setTimeout(resolve, 400));
    return true;
})()
"""


class QmsTourCase(HttpCase):
    """HttpCase with ``qms_tour``: a tour as ``login`` in ``lang``, and its last screen saved when asked."""

    browser_size = "1440x900"

    @classmethod
    def qms_load_lang(cls, lang):
        """Activate ``lang`` and load the translations of every installed module (when it is not active yet).

        Call it in ``setUpClass`` to pay the loading once for all the tests of a class; ``qms_tour`` calls it
        otherwise. Test databases are created in English, so the terms of menus, views and fields are loaded here
        (the web client reads its own JavaScript translations from the PO files).
        """
        if lang == "en_US":
            return
        env = cls.env
        lang_record = env["res.lang"].with_context(active_test=False).search([("code", "=", lang)], limit=1)
        if lang_record.active:
            return  # loaded with the database, or earlier in this transaction (a rollback deactivates it again)
        env["res.lang"]._activate_lang(lang)
        modules = env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        env["ir.module.module"]._load_module_terms(modules, [lang], overwrite=True)

    def qms_set_lang(self, login, lang):
        """Set the language of the user ``login`` (loading the language first when needed)."""
        self.qms_load_lang(lang)
        user = self.env["res.users"].search([("login", "=", login)], limit=1)
        self.assertTrue(user, f"no user with login {login!r}")
        user.lang = lang
        return user

    def qms_tour(self, url, tour_name, login, screenshot=None, lang=None, **kwargs):
        """Run the tour ``tour_name`` from ``url`` as ``login``; ``lang`` sets the user's language first.

        With ``screenshot`` and ``QMS_SCREENSHOTS`` set, the final screen is saved as
        ``$QMS_SCREENSHOTS/<lang>/<screenshot>.png``; returns that path (or None).
        Other keyword arguments go to Odoo's ``start_tour`` (timeout, step_delay, ...).
        """
        if lang:
            user = self.qms_set_lang(login, lang)
        else:
            user = self.env["res.users"].search([("login", "=", login)], limit=1)
        lang = lang or user.lang or "en_US"
        folder = os.environ.get(SCREENSHOTS_ENV)
        if not (screenshot and folder):
            self.start_tour(url, tour_name, login=login, **kwargs)
            return None

        captured = []
        original = ChromeBrowser._wait_code_ok

        def wait_then_capture(browser, code, timeout, error_checker=None):
            # The tour has succeeded when this returns; the browser stays open until browser_js leaves its
            # ExitStack, so the page is still the tour's last screen. Failures raise before the capture.
            original(browser, code, timeout, error_checker=error_checker)
            try:
                browser._websocket_request("Runtime.evaluate", params={
                    "expression": SETTLE_JS, "awaitPromise": True}, timeout=10)
                result = browser._websocket_request("Page.captureScreenshot", params={"format": "png"}, timeout=20)
            except Exception:  # a missing picture must not fail a passing tour
                _logger.warning("Could not capture the screen of tour %s", tour_name, exc_info=True)
                return
            if result and result.get("data"):
                captured.append(base64.b64decode(result["data"]))

        with patch.object(ChromeBrowser, "_wait_code_ok", wait_then_capture):
            self.start_tour(url, tour_name, login=login, **kwargs)

        if not captured:
            _logger.warning("No screenshot taken for tour %s (%s)", tour_name, lang)
            return None
        path = pathlib.Path(folder) / lang / f"{screenshot}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(captured[0])
        _logger.info("Screenshot of tour %s saved to %s", tour_name, path)
        return path

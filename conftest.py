"""pytest set-up shared by every addon and the cross-addon tests.

Browser tours (classes tagged ``qms_ui``) need a running HTTP server and Chromium:
``./qms test`` runs them through Odoo's own test runner, so pytest leaves them out.
"""

UI_TEST_TAG = "qms_ui"


def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if UI_TEST_TAG in getattr(getattr(item, "cls", None), "test_tags", ())]
    if browser_tests:
        config.hook.pytest_deselected(items=browser_tests)
        items[:] = [item for item in items if item not in browser_tests]

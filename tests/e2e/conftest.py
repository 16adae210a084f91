# Browser fixtures (browser, open_page) live in tests/browser.py, loaded for every test
# directory by tests/conftest.py, so that one Chromium serves the whole run.

"""Static files in production: hashed names, precompressed, cached for a year.

With DEBUG off, settings use whitenoise's CompressedManifestStaticFilesStorage:
collectstatic writes every file under a content-hashed name with .gz and .br
copies, and whitenoise serves hashed names with a far-future, immutable cache
header (a changed file gets a new name, so browsers never keep a stale one).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = """
from seminar.settings import *  # noqa: F403

STATIC_ROOT = {root!r}
# Only the project's own files (not the admin's or Bootstrap's): the same storage at a
# fraction of the brotli time.
STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
"""

# Runs in the production-settings subprocess: fetch one hashed file through the app.
FETCH = """
import json, sys
import django
django.setup()
from django.test import Client
response = Client().get(sys.argv[1], secure=True, HTTP_ACCEPT_ENCODING="gzip, br")
print(json.dumps({"status": response.status_code, "cache": response.get("Cache-Control", ""),
                  "encoding": response.get("Content-Encoding", "")}))
"""


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic under production settings into a temporary STATIC_ROOT."""
    folder = tmp_path_factory.mktemp("static")
    (folder / "prod_static_settings.py").write_text(SETTINGS.format(root=str(folder / "root")))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prod_static_settings",
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "root", env


def test_collectstatic_writes_hashed_names_with_gzip_and_brotli_copies(collected):
    root, _ = collected
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["seminar/site.js"]
    assert hashed != "seminar/site.js" and hashed.startswith("seminar/site.")
    assert (root / hashed).exists()
    assert (root / f"{hashed}.gz").exists()
    assert (root / f"{hashed}.br").exists()
    assert (root / manifest["seminar/site.css"]).with_suffix(".css.br").exists()


def test_a_hashed_file_is_served_compressed_with_a_far_future_immutable_cache_header(collected):
    root, env = collected
    hashed = json.loads((root / "staticfiles.json").read_text())["paths"]["seminar/site.css"]
    result = subprocess.run(
        [sys.executable, "-c", FETCH, f"/static/{hashed}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    assert "immutable" in answer["cache"]
    max_age = int(answer["cache"].split("max-age=")[1].split(",")[0])
    assert max_age >= 365 * 24 * 3600
    assert answer["encoding"] in ("br", "gzip")

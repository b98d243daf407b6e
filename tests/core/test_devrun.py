"""``make run PORT=…``: the links in e-mails point at the server that runs."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mentorat import devrun

ROOT = Path(__file__).resolve().parents[2]


def test_the_supervisor_gives_its_children_the_site_url_of_its_port():
    assert devrun.child_env(host="127.0.0.1", port="8123", environ={})["SITE_URL"] == "http://127.0.0.1:8123"
    assert devrun.child_env(host="0.0.0.0", port="9000", environ={})["SITE_URL"] == "http://127.0.0.1:9000"


def test_a_site_url_already_set_is_kept():
    env = devrun.child_env(host="127.0.0.1", port="8123", environ={"SITE_URL": "https://mentorat.example.com"})
    assert env["SITE_URL"] == "https://mentorat.example.com"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_the_port_s_site_url():
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "MAKEFLAGS", "MFLAGS"}}
    out = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, env=env, capture_output=True, text=True).stdout
    assert "SITE_URL=http://127.0.0.1:8123" in out
    out = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, env={**env, "SITE_URL": "https://m.example"},
                         capture_output=True, text=True).stdout
    assert "SITE_URL=https://m.example" in out and "127.0.0.1:8123 " not in out.split("devrun")[-1]

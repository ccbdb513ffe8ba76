"""The wheel is the product: built, installed into a fresh venv, run from an empty folder.

The venv's dependencies come from the test environment (a .pth line), so the test needs no
network; deploy/smoke does the full install from the package index.
"""

import os
import pathlib
import subprocess
import sys
import sysconfig
import zipfile

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
MAX_WHEEL_BYTES = 10 * 1024 * 1024

pytestmark = pytest.mark.slow


def _clean_env(**extra):
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("STARQR_")
    }
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, str(REPOSITORY / "deploy" / "build_wheel.py"), str(out)],
        check=True,
        cwd=REPOSITORY,
        env=_clean_env(),
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("starqr-*.whl")
    return built


def test_wheel_carries_the_product_and_stays_small(wheel):
    assert wheel.stat().st_size <= MAX_WHEEL_BYTES, f"{wheel.stat().st_size / 1e6:.1f} MB"
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "starqr/templates/public/profile.html",
        "starqr/templates/console/base.html",
        "starqr/static/console.css",
        "starqr/fonts/NotoSerifSC-Bold-subset.ttf",
        "starqr/fonts/NotoSansMongolian-Regular.ttf",
        "starqr/rubrics/member_points.yaml",
        "starqr/translations/mn/LC_MESSAGES/messages.mo",
        "starqr/translations/en/LC_MESSAGES/messages.mo",
    ):
        assert required in names, required
    assert not [n for n in names if n.startswith(("instance/", "tests/", "starqr/instance"))]


def test_installed_wheel_serves_every_page_kind_from_an_empty_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies: the test environment's site-packages, after the venv's own (plain path line).
    pathlib.Path(site, "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        timeout=300,
        env=_clean_env(),
    )
    work = tmp_path / "empty"
    work.mkdir()
    env = _clean_env(STARQR_DEMO_PASSWORD="wheel-demo-password")

    def run_in_empty_folder(*command):
        return subprocess.run(
            [str(part) for part in command], cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False
        )

    demo = run_in_empty_folder(venv / "bin" / "starqr", "demo", "--members", "50")
    assert demo.returncode == 0, demo.stderr[-2000:]
    codes = [line.rsplit("/Q/", 1)[1] for line in demo.stdout.splitlines() if "/Q/" in line]
    probe = run_in_empty_folder(python, REPOSITORY / "tests" / "wheel_probe.py", *codes)
    assert probe.returncode == 0, probe.stdout[-3000:] + probe.stderr[-3000:]
    assert "every page served" in probe.stdout
    assert (work / "instance" / "starqr.db").exists()
    assert not pathlib.Path(site, "instance").exists() and not pathlib.Path(site, "starqr", "instance").exists()

"""Build the StarQR wheel from a clean copy of the sources: python deploy/build_wheel.py OUT_DIR

The copy keeps stale build/ folders and local instance data out of the wheel. setup.py maps
templates/ and static/ into the package and compiles the translation catalogues (.mo).
Prints the wheel's path.
"""

import importlib.util
import pathlib
import shutil
import subprocess
import sys
import tempfile

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "instance",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    "*.mo",
    "test-artifacts",
    ".hypothesis",
    ".pytest_cache",
    "bench",
)


def _can_build_without_isolation():
    """This interpreter already has what the build needs (setuptools with bdist_wheel, Babel)."""
    try:
        import setuptools
    except ImportError:
        return False
    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    has_bdist_wheel = (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None
    return has_bdist_wheel and importlib.util.find_spec("babel") is not None


def build(out_dir):
    out_dir = pathlib.Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="starqr-build-") as scratch:
        source = pathlib.Path(scratch) / "starqr-src"
        shutil.copytree(REPOSITORY, source, ignore=SKIP)
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out_dir), str(source)]
        if _can_build_without_isolation():
            command.insert(4, "--no-build-isolation")
        subprocess.run(command, check=True)
    wheels = sorted(out_dir.glob("starqr-*.whl"), key=lambda path: path.stat().st_mtime)
    return wheels[-1]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python deploy/build_wheel.py OUT_DIR")
    print(build(sys.argv[1]))

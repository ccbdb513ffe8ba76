"""Build hook: the wheel carries the product, not just the Python code.

- templates/ and static/ stay at the top of the repository (designers edit them there) and are
  copied into the package as starqr/templates and starqr/static when the wheel is built;
- the translation catalogues are compiled (.po -> .mo) during the build: .mo files are build
  outputs and are not tracked in git.

`pip install -e .` (./dev) does not need this: an editable starqr finds the top-level folders.
"""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
MAPPED_FOLDERS = ("templates", "static")


def _compile_catalogues(translations):
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for language in sorted(os.listdir(translations)):
        folder = os.path.join(translations, language, "LC_MESSAGES")
        source = os.path.join(folder, "messages.po")
        if not os.path.isfile(source):
            continue
        with open(source, "rb") as handle:
            catalogue = read_po(handle, locale=language)
        with open(os.path.join(folder, "messages.mo"), "wb") as handle:
            write_mo(handle, catalogue)


class BuildWithAssets(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        package = os.path.join(self.build_lib, "starqr")
        for name in MAPPED_FOLDERS:
            target = os.path.join(package, name)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                os.path.join(HERE, name), target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
            )
        translations = os.path.join(package, "translations")
        shutil.rmtree(translations, ignore_errors=True)
        shutil.copytree(
            os.path.join(HERE, "starqr", "translations"), translations, ignore=shutil.ignore_patterns("*.mo")
        )
        _compile_catalogues(translations)


setup(cmdclass={"build_py": BuildWithAssets})

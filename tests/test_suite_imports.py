"""The tests' shared modules (tests/helpers.py and the others beside it) are imported under one
name, tests.X. pytest puts tests/ on sys.path too, so `from helpers import ...` also works, but it
loads a second copy of the module, with its own state (helpers' member counter)."""

import ast
import pathlib

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
TESTS = REPOSITORY / "tests"
SHARED = {path.stem for path in TESTS.glob("*.py") if not path.stem.startswith("test_") and path.stem != "conftest"}


def _bare_imports(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in SHARED:
                yield f"{path.relative_to(REPOSITORY)}:{node.lineno}: {name}"


def test_the_shared_test_modules_are_imported_as_tests_modules():
    assert {"helpers", "servers", "onboarding_files", "hostile_files"} <= SHARED
    files = [*TESTS.rglob("*.py"), *(REPOSITORY / "bench").glob("*.py")]
    assert [line for path in sorted(files) for line in _bare_imports(path)] == []

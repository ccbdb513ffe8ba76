"""Every third-party module the product imports is a declared dependency (a clean install has nothing else)."""

import ast
import pathlib
import sys
import tomllib

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
# import name -> distribution, where they differ
DISTRIBUTIONS = {
    "PIL": "pillow",
    "yaml": "pyyaml",
    "nacl": "pynacl",
    "fontTools": "fonttools",
    "flask_babel": "flask-babel",
    "flask_limiter": "flask-limiter",
    "flask_login": "flask-login",
    "flask_wtf": "flask-wtf",
    "prometheus_client": "prometheus-client",
    "playhouse": "peewee",
    "psycopg2": "psycopg2-binary",
    "python_calamine": "python-calamine",
    "wtforms": "flask-wtf",
    "werkzeug": "flask",
    "markupsafe": "flask",
    "jinja2": "flask",
    "segno": "segno",
}  # Flask requires them
OPTIONAL = {"psycopg2", "redis", "brotli"}  # extras: postgres, redis, fonts


def _imported_top_level_modules():
    names = set()
    for path in (REPOSITORY / "starqr").rglob("*.py"):
        if "fonts" in path.parts and path.name == "build_fonts.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "starqr"}


def _declared():
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in ("postgres", "redis"):
        requirements += project["optional-dependencies"].get(extra, [])
    return {
        r.split(";")[0].split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower() for r in requirements
    }


def test_every_imported_package_is_declared():
    declared = _declared()
    missing = sorted(
        name
        for name in _imported_top_level_modules() - OPTIONAL
        if DISTRIBUTIONS.get(name, name).lower().replace("_", "-") not in declared
    )
    assert not missing, f"add to pyproject.toml dependencies: {missing}"

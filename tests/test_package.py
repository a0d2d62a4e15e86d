"""The package installs under one `switchcost` namespace and runs from the installed copy.

The repository keeps `app/`, `ingest/` and `queries/` at the top (they are the design);
`switchcost/` links them, so a checkout and an installed wheel import the same names.  These
tests build the real wheel with pip, read its contents, install it into a folder of its own and
run the installed command on the bundled sample away from the checkout.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PARTS = ("app", "ingest", "queries")
# Code that is not installed but imports the package: it must import it by its installed name.
CHECKED = (*PARTS, "switchcost", "bench", "tests", "docs", "data")


def _python_files() -> list[Path]:
    out: list[Path] = []
    for top in CHECKED:
        for path in (REPO / top).rglob("*.py"):
            if not any(part in (".venv", "__pycache__") for part in path.parts):
                out.append(path)
    return out


def _code_in_strings(tree: ast.AST) -> list[ast.AST]:
    """Python held in string constants (scripts for `python -c`, say), where it parses."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "import " not in node.value:
                continue
            try:
                out.append(ast.parse(node.value))
            except SyntaxError:
                continue
    return out


def _bare_imports(path: Path) -> list[str]:
    """Imports of `app`, `ingest` or `queries` as top-level packages (outside the namespace),
    in the code and in the scripts its strings hold."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in (n for t in (tree, *_code_in_strings(tree)) for n in ast.walk(t)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [
            f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path.name}"
            f":{node.lineno}: {name}"
            for name in names
            if name.split(".")[0] in PARTS
        ]
    return found


def test_the_scan_reads_scripts_held_in_strings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('S = "import sys; from queries import db"\nimport switchcost.app\n')
    assert _bare_imports(sample) == ["sample.py:1: queries"]


def test_every_import_uses_the_switchcost_namespace() -> None:
    files = _python_files()
    assert len(files) > 100  # the walk found the code (a wrong root would pass vacuously)
    bad = [line for path in files for line in _bare_imports(path)]
    assert bad == [], "import these as switchcost.<part>:\n" + "\n".join(bad)


def test_the_namespace_links_the_top_level_folders() -> None:
    for part in PARTS:
        link = REPO / "switchcost" / part
        assert link.is_symlink(), link
        assert link.resolve() == (REPO / part).resolve()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from a copy of the sources (so the checkout gets no build files)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("switchcost", *PARTS):
        shutil.copytree(REPO / name, src / name, symlinks=True, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*build, "-w", str(out), str(src)], check=True, capture_output=True)
    (found,) = out.glob("switchcost-*.whl")
    return found


def _shipped_files() -> set[str]:
    """What the wheel must carry: every module, SQL file and TOML file of the three parts."""
    want = {"switchcost/__init__.py", "switchcost/__main__.py"}
    for part in PARTS:
        for path in (REPO / part).rglob("*"):
            if path.suffix in (".py", ".sql", ".toml") and "__pycache__" not in path.parts:
                want.add(f"switchcost/{part}/{path.relative_to(REPO / part).as_posix()}")
    return want


def test_the_wheel_holds_one_namespace_with_its_sql_and_price_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        dist_info = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = zf.read(dist_info).decode()
    tops = {name.split("/")[0] for name in names}
    name, version = wheel.name.split("-")[:2]
    assert tops == {"switchcost", f"{name}-{version}.dist-info"}
    payload = {n for n in names if n.startswith("switchcost/")}
    assert payload == _shipped_files()
    assert "switchcost/queries/prices.toml" in payload
    assert "switchcost = switchcost.app.cli:main" in entry_points


def test_the_installed_command_runs_away_from_the_checkout(wheel: Path, tmp_path: Path) -> None:
    """Installed into a folder of its own, the command finds its price file, SQL and defaults."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "-t", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    assert not any((target / part).exists() for part in PARTS)  # nothing to collide with
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(target / "bin" / "switchcost"), *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run(
        [sys.executable, "-c", "import switchcost.queries.location as l; print(l.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(target)), where  # the installed copy, not the checkout
    assert run("--version").startswith("switchcost ")
    assert "claude-haiku-4-5" in run("prices")
    db = str(elsewhere / "sample.duckdb")
    run("ingest", str(REPO / "data" / "sample"), "--db", db)
    installed = run("report", "--db", db, "--format", "csv")
    checkout = subprocess.run(
        [sys.executable, "-m", "switchcost", "report", "--db", db, "--format", "csv"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The installed copy bills the sample exactly as the checkout does, to the micro-dollar.
    assert installed == checkout
    assert installed.splitlines()[-1].startswith("TOTAL,2011,")

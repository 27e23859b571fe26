"""A release as a packager makes it: sdist, then a wheel built from that sdist, installed in a
fresh virtual environment. CI installs from the source tree and cannot see what a release
leaves out; this test can."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
from pathlib import Path

ROOT = Path(__file__).parents[2]


def run(*args: str | Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=600, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_wheel_built_from_the_sdist_ships_every_bundled_program(tmp_path: Path) -> None:
    bundled = sorted(p.stem for p in (ROOT / "programs").glob("*.toml"))
    dist = tmp_path / "dist"
    # With no --sdist/--wheel, build makes the sdist and then the wheel *from the sdist*.
    # --no-isolation uses the hatchling of this environment (the test extras) instead of
    # downloading one.
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT)
    [sdist] = dist.glob("*.tar.gz")
    [wheel] = dist.glob("*.whl")
    with tarfile.open(sdist) as archive:
        shipped = sorted(
            Path(name).stem for name in archive.getnames() if "/programs/" in name
        )
    assert shipped == bundled

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel)
    home = tmp_path / "home"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    listed = json.loads(run(env_dir / "bin" / "spasmtimer", "list", "--json", env=env))
    assert sorted(p["name"] for p in listed if p["source"] == "bundled") == bundled
    assert all(p["error"] is None for p in listed)
    # Found inside the installed package, not in this checkout.
    assert all("site-packages" in p["path"] for p in listed), listed

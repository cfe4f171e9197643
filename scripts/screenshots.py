"""Take a screenshot of each notebook open in JupyterLab, with headless Chromium.

Usage: python scripts/screenshots.py [--out DIR] [--width 1400] [--height 1000]
       (or `make screenshots`; needs chromium: apt-get install chromium)

Starts ``jupyter lab`` on a loopback port (empty token; its configuration, runtime and
workspace files under a temporary folder), opens ``/lab/tree/<notebook>`` for each stored
notebook in its own headless Chromium profile and saves ``DIR/<notebook>.png``, so that a
reviewer can see how the stored outputs (tables, findings, figures) look at a given window
width. The server is stopped by its process id at the end. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer at {url}") from None
            time.sleep(0.3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "screenshots")
    parser.add_argument("--notebooks-dir", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=2400,
                        help="window height: JupyterLab draws only the cells in view")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("No Chromium found. Install it, e.g. on Debian or Ubuntu:\n"
              "  sudo apt-get install -y --no-install-recommends chromium\n"
              "then run `make screenshots` again.", file=sys.stderr)
        return 0
    notebooks = sorted(args.notebooks_dir.glob("[0-9]*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="screenshots-"))
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                 "MPLCONFIGDIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTERLAB_SETTINGS_DIR"):
        env[name] = str(home / name.lower())
    # no "news" pop-up over the notebook
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port = _free_port()
    log = open(home / "lab.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.allow_root=True", "--ServerApp.port_retries=0",
         f"--ServerApp.root_dir={args.notebooks_dir.resolve()}"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    failed = 0
    try:
        _wait(f"http://127.0.0.1:{port}/api/status", server)
        for path in notebooks:
            shot = args.out.resolve() / f"{path.stem}.png"
            profile = home / f"chromium-{path.stem}"
            command = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                       "--disable-background-networking", "--disable-component-update",
                       "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                       "--virtual-time-budget=20000", f"--screenshot={shot}",
                       f"--window-size={args.width},{args.height}",
                       # ?reset: a fresh workspace, only this notebook open
                       f"http://127.0.0.1:{port}/lab/tree/{path.name}?reset"]
            result = subprocess.run(command, capture_output=True, text=True, timeout=180)
            ok = result.returncode == 0 and shot.exists() and shot.stat().st_size > 0
            failed += not ok
            print(f"{path.name}: {shot if ok else 'FAILED ' + result.stderr[-300:]}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(home, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

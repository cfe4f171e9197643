"""The notebooks run in a Jupyter server the way JupyterLab runs them.

A ``jupyter server`` is started on a loopback port (empty token, everything it writes under a
temporary folder). Each notebook is opened through the REST API (``/api/contents``), a session
and kernel are created (``/api/sessions``), and its code cells are sent in order as
``execute_request`` messages over the kernel's websocket (``/api/kernels/<id>/channels``), as
JupyterLab does; every reply must be ``ok``. Right after the cell tagged ``parameters`` a cell
sets the corpus to the small synthetic fixture (``tests/fixtures/other_topic.csv``), as
papermill would, so that the test stays fast; the shipped corpus is run by nbval.

``DISCOURSE_NOTEBOOKS=/some/folder`` runs the notebooks of another folder (for example
those ``scripts/make_notebooks.py /some/folder`` writes, before they are executed).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("jupyter_server")
websocket = pytest.importorskip("websocket")  # websocket-client, a jupyter_server dependency
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "other_topic.csv"
OVERRIDE = (f"CORPUS_PATH = {str(FIXTURE)!r}\nCASE_COUNTRY = 'NZ'\nCASE_START = '2024-01-01'\n"
            "CASE_END = '2024-06-30'\nTOPIC = 'social media age limits'\n")
CELL_TIMEOUT = 120


def _notebooks_dir() -> Path:
    return Path(os.environ.get("DISCOURSE_NOTEBOOKS", ROOT / "notebooks"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, method: str = "GET", body: dict | None = None) -> dict | None:
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Jupyter server over a copy of the notebooks; yields its base URL."""
    home = tmp_path_factory.mktemp("jupyter")
    root = home / "notebooks"
    shutil.copytree(_notebooks_dir(), root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                 "MPLCONFIGDIR"):
        env[name] = str(home / name.lower())
    env.update(PYTHONHASHSEED="0", TQDM_DISABLE="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    port = _free_port()
    log = open(home / "server.log", "w")  # noqa: SIM115 (closed in teardown)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}",
         "--ServerApp.port_retries=0", "--ServerApp.allow_root=True"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"{base}/api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("jupyter server did not start:\n"
                                + (home / "server.log").read_text()[-2000:])
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _message(session: str, code: str) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "test", "session": session,
                   "msg_type": "execute_request", "version": "5.3",
                   "date": datetime.now(UTC).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }


def _execute(ws, session: str, code: str) -> tuple[dict, list[dict]]:
    """Send one cell; return its execute_reply content and its error outputs."""
    message = _message(session, code)
    ws.send(json.dumps(message))
    errors = []
    deadline = time.monotonic() + CELL_TIMEOUT
    while time.monotonic() < deadline:
        reply = json.loads(ws.recv())
        if reply.get("parent_header", {}).get("msg_id") != message["header"]["msg_id"]:
            continue
        kind = reply["header"]["msg_type"]
        if kind == "error":
            errors.append(reply["content"])
        if kind == "execute_reply":
            return reply["content"], errors
    raise TimeoutError(f"no reply within {CELL_TIMEOUT} s to:\n{code[:300]}")


def _notebook_names() -> list[str]:
    return sorted(p.name for p in _notebooks_dir().glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("name", _notebook_names())
def test_notebook_runs_on_a_kernel_of_a_jupyter_server(server, name):
    model = _get(f"{server}/api/contents/{name}?content=1")
    notebook = nbformat.from_dict(model["content"])
    session = _get(f"{server}/api/sessions", "POST",
                   {"path": name, "name": name, "type": "notebook",
                    "kernel": {"name": "python3"}})
    kernel = session["kernel"]["id"]
    client_session = uuid.uuid4().hex
    ws = websocket.create_connection(
        f"{server.replace('http', 'ws')}/api/kernels/{kernel}/channels"
        f"?session_id={client_session}", timeout=CELL_TIMEOUT)
    try:
        cells = [c for c in notebook.cells if c.cell_type == "code"]
        assert any("parameters" in c.metadata.get("tags", []) for c in cells), \
            f"{name} has no cell tagged 'parameters'"
        for cell in cells:
            content, errors = _execute(ws, client_session, cell.source)
            assert content["status"] == "ok" and not errors, (
                f"{name}: cell failed\n{cell.source[:400]}\n"
                + "\n".join(f"{e['ename']}: {e['evalue']}" for e in errors or [content]
                            if "ename" in e))
            if "parameters" in cell.metadata.get("tags", []):
                content, errors = _execute(ws, client_session, OVERRIDE)
                assert content["status"] == "ok" and not errors
    finally:
        ws.close()
        _get(f"{server}/api/sessions/{session['id']}", "DELETE")

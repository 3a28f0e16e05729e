"""nbgrader's kernel in the sandbox (``autograder/kernel.py``): what a notebook run by ``nbgrader autograde``
can reach, and the launcher's refusals."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import kernel
from autograder.sandbox import bubblewrap_usable

from .conftest import REPO

PROBE = """
import os, socket
print("host", socket.gethostname())
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2)
    print("connected to the host")
except OSError as error:
    print("no network:", type(error).__name__)
open(os.path.expanduser("~/planted"), "w").write("x")
print("home", os.path.expanduser("~"))
try:
    open({repo!r}, "a").write("x")   # the host's copy must not change (inside, it is read-only or absent)
except OSError as error:
    print("refused", type(error).__name__)
try:
    print("read the gradebook:", open({secret!r}).read())
except OSError as error:
    print("cannot read the gradebook:", type(error).__name__)
open("written-here.txt", "w").write("the notebook's own folder is writable")
print("processes", len([p for p in os.listdir("/proc") if p.isdigit()]))
import autograder.nbcheck
print("kit importable")
"""


def _run_in_kernel(code: str, cwd: Path, env: dict) -> str:
    from jupyter_client.manager import KernelManager

    old = dict(os.environ)
    os.environ.update(env)
    try:
        manager = KernelManager(kernel_name=kernel.KERNEL_NAME, transport="ipc", ip=kernel.ipc_prefix())
        manager.start_kernel(cwd=str(cwd))
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
            msg_id, text = client.execute(code), []
            while True:
                message = client.get_iopub_msg(timeout=120)
                if message["parent_header"].get("msg_id") != msg_id:
                    continue
                if message["msg_type"] == "stream":
                    text.append(message["content"]["text"])
                elif message["msg_type"] == "error":
                    text.append(f"ERROR {message['content']['ename']}: {message['content']['evalue']}")
                elif message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                    return "".join(text)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    finally:
        os.environ.clear()
        os.environ.update(old)


@pytest.mark.slow
def test_a_notebook_in_the_sandboxed_kernel_reaches_only_its_own_folder(tmp_path):
    if not bubblewrap_usable():
        pytest.skip("bubblewrap is not usable here")
    secret = tmp_path / "instructor" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("grades")
    notebook_dir = tmp_path / "autograded" / "student"
    notebook_dir.mkdir(parents=True)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.1)
        code = PROBE.format(port=listener.getsockname()[1], repo=str(REPO / "README.md"), secret=str(secret))
        before = (REPO / "README.md").read_bytes()
        out = _run_in_kernel(code, notebook_dir, {"JUPYTER_PATH": kernel.KERNELS_ROOT, "AUTOGRADER_SANDBOX": "require"})
        with pytest.raises(socket.timeout):
            listener.accept()
    assert "host sandbox" in out and "no network" in out and "connected" not in out, out
    assert "home /tmp" in out and not (Path.home() / "planted").exists(), out
    assert "cannot read the gradebook" in out and "grades" not in out, out
    assert (REPO / "README.md").read_bytes() == before and secret.read_text() == "grades"
    assert (notebook_dir / "written-here.txt").is_file()
    assert "kit importable" in out and "ERROR" not in out, out
    assert int(out.split("processes ")[1].split()[0]) < 10, out


def _connection(tmp_path, transport="ipc", ip=None) -> Path:
    path = tmp_path / "kernel-1.json"
    path.write_text(json.dumps({"transport": transport, "ip": ip or kernel.ipc_prefix(), "shell_port": 1, "key": ""}))
    return path


def test_the_launcher_refuses_tcp_and_sockets_beside_other_kernels(tmp_path, monkeypatch):
    if not bubblewrap_usable():
        pytest.skip("bubblewrap is not usable here")
    monkeypatch.setenv("AUTOGRADER_SANDBOX", "auto")
    with pytest.raises(SystemExit, match="IPC sockets"):
        kernel.command(str(_connection(tmp_path, transport="tcp", ip="127.0.0.1")), [], tmp_path)
    with pytest.raises(SystemExit, match="folder of their own"):
        kernel.command(str(_connection(tmp_path, ip=str(tmp_path / "runtime" / "kernel"))), [], tmp_path)
    cmd, warning = kernel.command(str(_connection(tmp_path)), ["--HistoryManager.hist_file=:memory:"], tmp_path)
    assert warning is None and "--unshare-all" in cmd and cmd[-1] == "--HistoryManager.hist_file=:memory:"


def test_with_the_sandbox_off_the_kernel_starts_plain_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SANDBOX", "off")
    cmd, warning = kernel.command(str(_connection(tmp_path)), [], tmp_path)
    assert cmd[:3] == [sys.executable, "-m", "ipykernel_launcher"] and "WITHOUT the sandbox" in warning


def test_the_course_configuration_runs_nbgrader_in_the_sandboxed_kernel(tmp_path):
    """What nbgrader reads from nbgrader_config.py: the kernel, its transport, where it is found;
    and FLOWERS_NBGRADER_SANDBOX=off turns it off."""
    script = ("from traitlets.config.loader import PyFileConfigLoader\n"
              f"config = PyFileConfigLoader('nbgrader_config.py', path={str(REPO)!r}).load_config()\n"
              "import os, json\n"
              "print(json.dumps([config.Execute.get('kernel_name'), config.KernelManager.get('transport'),"
              " os.environ.get('JUPYTER_PATH', '')]))\n")
    on = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                   cwd=tmp_path).stdout)
    assert on[:2] == [kernel.KERNEL_NAME, "ipc"] and kernel.KERNELS_ROOT in on[2].split(os.pathsep)
    assert (Path(kernel.KERNELS_ROOT) / "kernels" / kernel.KERNEL_NAME / "kernel.json").is_file()
    off = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                    cwd=tmp_path, env={**os.environ, "FLOWERS_NBGRADER_SANDBOX": "off"}).stdout)
    assert off[:2] == [None, None]

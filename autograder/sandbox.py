"""Run untrusted student code in a disposable worker under bubblewrap.

:func:`run_worker` starts ``argv`` in a fresh read-only root of allow-listed binds, with
memory-backed scratch at ``/tmp``, no network, new pid/ipc/uts/user/cgroup namespaces and
an empty environment, under rlimits and a wall-clock deadline. Without bubblewrap, mode
``auto`` falls back to a plain subprocess with a loud warning; ``require`` raises instead.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

log = logging.getLogger(__name__)

INSTALL_HINT = "Install it with `apt-get install bubblewrap`."
NO_SANDBOX = "student code runs WITHOUT a sandbox (network and file system are exposed)."
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
SECRET_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-")


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 300.0
    memory_bytes: int = 4 << 30        # RLIMIT_AS, per process
    cpu_seconds: int | None = None     # RLIMIT_CPU; None means wall_seconds * 2, rounded up
    extra_processes: int = 256         # tasks (threads count) the worker may add
    file_bytes: int = 512 << 20        # RLIMIT_FSIZE; also the size of each scratch tmpfs
    output_chars: int = 20_000         # how much of the stdout/stderr tail to keep


@dataclass(frozen=True)
class WorkerRun:
    returncode: int | None     # None when killed for time
    timed_out: bool
    stdout: str                # tail, at most limits.output_chars
    stderr: str
    sandboxed: bool            # True only when bubblewrap really ran it
    warning: str | None        # set when the worker ran without a sandbox
    wall_seconds: float


class SandboxUnavailable(RuntimeError):
    """Raised in mode ``require`` when bubblewrap cannot be used."""


def sandbox_mode() -> str:
    """The mode from env ``AUTOGRADER_SANDBOX``: ``auto`` (default), ``require`` or ``off``."""
    mode = os.environ.get("AUTOGRADER_SANDBOX", "auto").strip().lower() or "auto"
    if mode not in ("auto", "require", "off"):
        raise ValueError(f"AUTOGRADER_SANDBOX must be auto, require or off, not {mode!r}")
    return mode


def _bwrap_path() -> str | None:
    return os.environ.get("AUTOGRADER_BWRAP") or shutil.which("bwrap")


@functools.lru_cache(maxsize=None)
def _probe(bwrap: str | None) -> str | None:
    """Run ``true`` in the sandbox; return None when it works, else the reason it does not."""
    if not bwrap:
        return "`bwrap` was not found on PATH"
    cmd = _bwrap_command(bwrap, ["true"], [], [], {"PATH": "/usr/bin:/bin"}, "/tmp", 1 << 20)
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"`{bwrap}` could not be run: {exc}"
    err = done.stderr.decode(errors="replace").strip()[-500:]
    return f"`bwrap ... true` failed ({done.returncode}): {err}" if done.returncode else None


def bubblewrap_usable() -> bool:
    """True when bwrap exists and a trivial sandboxed ``true`` succeeds (cached per process)."""
    return _probe(_bwrap_path()) is None


def unavailable_reason() -> str | None:
    """Why student code would run without the sandbox now (the mode is off, or bubblewrap cannot be
    used), or None when it runs sandboxed. The workers, the nbgrader kernel and the class run ask this."""
    return _probe(_bwrap_path()) if sandbox_mode() != "off" else "AUTOGRADER_SANDBOX=off"


@functools.lru_cache(maxsize=None)
def _bwrap_help(bwrap: str) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run([bwrap, "--help"], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=10).stdout.decode(errors="replace")
    return ""


def _covered(path: str, dirs: Sequence[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in dirs)


def _python_binds(argv0: str) -> list[str]:
    """Read-only binds for the venv, the Python install and every link on the way to python."""
    done, args = list(SYSTEM_DIRS), []
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        if os.path.isdir(prefix) and not _covered(prefix, done):
            done.append(prefix)
            args += ["--ro-bind", prefix, prefix]
    for path in dict.fromkeys(p for p in (sys.executable, argv0) if os.path.isabs(p)):
        for _ in range(40):  # follow the chain of symbolic links, as the kernel would
            link = os.readlink(path) if os.path.islink(path) else None
            if os.path.lexists(path) and not _covered(path, done):
                done.append(path)
                args += ["--symlink", link, path] if link else ["--ro-bind", path, path]
            if link is None:
                break
            path = os.path.normpath(os.path.join(os.path.dirname(path), link))
    return args


def bwrap_command(argv: Sequence[str], read_only: Sequence[str], writable: Sequence[str], env: Mapping[str, str],
                  cwd: str, scratch_bytes: int) -> list[str]:
    """The bubblewrap command line that runs ``argv`` as the workers run (see :func:`run_worker`), for a
    launcher that starts the process itself (the nbgrader kernel, :mod:`autograder.kernel`). Ask
    :func:`unavailable_reason` first."""
    return _bwrap_command(_bwrap_path(), argv, read_only, writable, env, cwd, scratch_bytes)


def _bwrap_command(bwrap: str, argv: Sequence[str], read_only: Sequence[str],
                   writable: Sequence[str], env: Mapping[str, str], cwd: str,
                   scratch_bytes: int, devices: Sequence[str] = ()) -> list[str]:
    options = _bwrap_help(bwrap)  # --disable-userns and --size need bubblewrap 0.8
    size = ["--size", str(scratch_bytes)] if "--size" in options else []
    cmd = [bwrap, "--unshare-all", "--unshare-user", "--cap-drop", "ALL",
           "--die-with-parent", "--new-session", "--hostname", "sandbox",
           *(["--disable-userns"] if "--disable-userns" in options else []),
           *size, "--tmpfs", "/tmp",
           "--dev", "/dev", "--remount-ro", "/dev", *size, "--tmpfs", "/dev/shm",
           "--proc", "/proc"]
    for d in SYSTEM_DIRS:  # on Debian 12 /bin, /sbin, /lib, /lib64 are links into /usr
        if os.path.islink(d):
            cmd += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            cmd += ["--ro-bind", d, d]
    cmd += [a for f in SECRET_FILES if os.path.isfile(f) for a in ("--ro-bind", "/dev/null", f)]
    cmd += _python_binds(argv[0])
    cmd += [a for p in read_only for a in ("--ro-bind", p, p)]
    cmd += [a for p in writable for a in ("--bind", p, p)]
    cmd += [a for p in devices for a in ("--dev-bind", p, p)]  # the trusted trainer's GPU, never the worker's
    cmd += ["--remount-ro", "/", "--clearenv"]
    cmd += [a for k, v in env.items() for a in ("--setenv", k, v)]
    return cmd + ["--chdir", cwd, "--", *argv]


def _tasks_of_uid(uid: int) -> int:
    """Tasks (threads included) whose real uid is ``uid``: what RLIMIT_NPROC counts."""
    total = 0
    for name in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, ValueError, KeyError):
            with open(f"/proc/{name}/status") as f:
                fields = dict(line.split(":", 1) for line in f if line.startswith(("Uid", "Thr")))
            total += int(fields["Threads"]) if int(fields["Uid"].split()[0]) == uid else 0
    return total


def _process_tree(root: int) -> dict[int, int]:
    """``{pid: threads}`` for ``root`` and all its descendants, read from /proc."""
    procs, children = {}, defaultdict(list)
    for name in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()  # the name may hold spaces
            procs[int(name)] = int(fields[17])  # field 20 of stat: number of threads
            children[int(fields[1])].append(int(name))  # field 4: parent pid
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in procs and pid not in found:
            found[pid] = procs[pid]
            todo += children[pid]
    return found


def _children(pid: int) -> list[int]:
    """The direct children of ``pid``: one read where the kernel offers it, else a scan of /proc."""
    with contextlib.suppress(OSError, ValueError):
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    return [p for p in _process_tree(pid) if p != pid]


def _send(kill, pid: int, sig: int) -> None:
    with contextlib.suppress(OSError):
        kill(pid, sig)


def _kill_tree(proc: subprocess.Popen, namespace: bool = False) -> None:
    """SIGKILL the worker, its process group and every descendant (stopped first, so none fork).

    With ``namespace`` (bubblewrap's own pid namespace), killing the namespace's first process
    makes the kernel kill every process in it at once, however fast they fork."""
    if namespace:
        for pid in _children(proc.pid):
            _send(os.kill, pid, signal.SIGKILL)
    _send(os.killpg, proc.pid, signal.SIGSTOP)  # the whole group in one call; then any that left it
    stopped: set[int] = set()
    while len(stopped) < 100_000:
        fresh = set(_process_tree(proc.pid)) - stopped
        if not fresh:
            break
        for pid in fresh:
            _send(os.kill, pid, signal.SIGSTOP)
        stopped |= fresh
    _send(os.killpg, proc.pid, signal.SIGKILL)
    for pid in stopped | {proc.pid}:
        _send(os.kill, pid, signal.SIGKILL)
    proc.wait()


def _tail(text: str, limit: int, cut: bool = False) -> str:
    """The last ``limit`` characters of ``text``, starting with a mark when something was cut."""
    if not cut and len(text) <= limit:
        return text
    mark = "[... earlier output cut ...]\n" if limit > 100 else ""
    return mark + text[max(0, len(text) - limit + len(mark)):]


def _file_tail(f, limit: int) -> str:
    start = max(0, f.seek(0, os.SEEK_END) - 4 * limit - 4)  # UTF-8 takes at most 4 bytes a char
    f.seek(start)
    return _tail(f.read().decode("utf-8", errors="replace"), limit, cut=start > 0)


def _rlimit_setter(limits: Limits, nproc: int, niceness: int = 0):
    cpu = math.ceil(limits.wall_seconds * 2) if limits.cpu_seconds is None else limits.cpu_seconds
    wanted = [(resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes),
              (resource.RLIMIT_CPU, cpu, cpu + 1),  # SIGXCPU at the limit, SIGKILL a second later
              (resource.RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes),
              (resource.RLIMIT_CORE, 0, 0),
              (resource.RLIMIT_NPROC, nproc, nproc)]
    caps = {which: resource.getrlimit(which)[1] for which, _, _ in wanted}
    values = [(which, soft, hard) if caps[which] == resource.RLIM_INFINITY  # never ask for more
              else (which, min(soft, caps[which]), min(hard, caps[which]))  # than the hard limit
              for which, soft, hard in wanted]

    def apply() -> None:  # runs in the child between fork and exec: keep it tiny
        for which, soft, hard in values:
            resource.setrlimit(which, (soft, hard))
        if niceness:
            os.nice(niceness)
    return apply


def run_worker(argv: list[str], *, read_only: Sequence[Path] = (), writable: Sequence[Path] = (),
               limits: Limits = Limits(), env: Mapping[str, str] | None = None,
               cwd: Path | None = None, devices: Sequence[str] = (),
               covered: Sequence[tuple[Path, Path]] = ()) -> WorkerRun:
    """Run ``argv`` in the sandbox (or, if allowed, a plain subprocess) and collect the result.

    ``read_only`` and ``writable`` paths appear at the same place inside; the rest
    of the host is invisible except the system directories and the Python install.
    ``env`` is the whole extra environment: never pass ``os.environ``. ``devices`` are device
    nodes (a GPU's) made visible inside; only trusted code is given any. ``covered`` is
    ``(file, stand_in)`` pairs: inside, ``file`` reads as ``stand_in`` (the grader withholds the kit's
    references from student code this way). Errors while
    launching give a WorkerRun with exit code 126 and the reason on stderr.
    """
    mode, bwrap = sandbox_mode(), _bwrap_path()
    reason = unavailable_reason()
    sandboxed, warning = reason is None, None
    if mode == "require" and not sandboxed:
        raise SandboxUnavailable(f"bubblewrap is required (AUTOGRADER_SANDBOX=require) but cannot "
                                 f"be used: {reason}. {INSTALL_HINT}")
    if not sandboxed:
        warning = (f"WARNING: the sandbox is turned off (AUTOGRADER_SANDBOX=off): {NO_SANDBOX}"
                   if mode == "off" else
                   f"WARNING: bubblewrap is not available: {NO_SANDBOX} {INSTALL_HINT} ({reason})")
        log.warning(warning)

    start = time.monotonic()
    scratch_dir = None if sandboxed else tempfile.mkdtemp(prefix="autograder-scratch-")
    scratch = scratch_dir or "/tmp"
    full_env = {"PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
                "HOME": scratch, "TMPDIR": scratch, "MPLCONFIGDIR": f"{scratch}/mpl",
                "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
                "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    ro, rw = [os.path.abspath(p) for p in read_only], [os.path.abspath(p) for p in writable]
    workdir = os.path.abspath(cwd) if cwd is not None else scratch

    def failed(message: str) -> WorkerRun:
        return WorkerRun(126, False, "", f"sandbox: {message}", False, warning,
                         time.monotonic() - start)

    try:
        missing = [p for p in ro + rw if not os.path.exists(p)]
        if missing or not argv:
            return failed(f"cannot share {', '.join(missing)}: no such file or directory"
                          if missing else "no command given")
        cmd = (_bwrap_command(bwrap, argv, ro, rw, full_env, workdir, limits.file_bytes, devices)
               if sandboxed else list(argv))
        if sandboxed and covered:  # after every other bind, so that they win
            at = cmd.index("--chdir")
            cmd[at:at] = [a for file, stand_in in covered
                          for a in ("--ro-bind", os.path.abspath(stand_in), os.path.abspath(file))]
        nproc = _tasks_of_uid(os.getuid()) + limits.extra_processes
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                        env=full_env, cwd="/" if sandboxed else workdir,
                                        start_new_session=True, close_fds=True,
                                        preexec_fn=_rlimit_setter(limits, nproc, _niceness()))
            except (OSError, subprocess.SubprocessError) as exc:
                return failed(f"could not start {cmd[0]}: {exc}")
            returncode, note = _supervise(proc, limits, start, sandboxed)
            stdout, stderr = (_file_tail(f, limits.output_chars) for f in (out, err))
        if note:
            stderr = _tail(f"{stderr}\n{note}" if stderr.strip() else note, limits.output_chars)
        return WorkerRun(returncode, returncode is None, stdout, stderr, sandboxed, warning,
                         time.monotonic() - start)
    finally:
        if scratch_dir:
            shutil.rmtree(scratch_dir, ignore_errors=True)


def _niceness() -> int:
    """How much lower than the grader's the worker's CPU priority is.

    Root is exempt from RLIMIT_NPROC, so there the supervisor counts the worker's tasks itself
    (``_supervise``); on a busy machine a fork loop at the same priority can outrun that count by
    hundreds of processes. At a lower priority the supervisor is scheduled first."""
    return 15 if os.getuid() == 0 else 0


def _supervise(proc: subprocess.Popen, limits: Limits, start: float, namespace: bool = False) -> tuple[int | None, str]:
    """Wait for the worker; return its exit code (None when killed for time) and a note.

    Kill it at the deadline and, for root only (the kernel exempts root from RLIMIT_NPROC),
    when its processes and threads outnumber ``extra_processes``."""
    deadline = start + limits.wall_seconds
    watch_tasks = os.getuid() == 0
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                _kill_tree(proc, namespace)
                return None, f"sandbox: stopped after the {limits.wall_seconds:g} s time limit."
            try:
                # A scan takes under a millisecond; a fork bomb adds hundreds of processes a second.
                return proc.wait(timeout=min(left, 0.01 if watch_tasks else 1.0)), ""
            except subprocess.TimeoutExpired:
                pass
            # + 2: bubblewrap itself runs as two processes
            if watch_tasks and sum(_process_tree(proc.pid).values()) > limits.extra_processes + 2:
                _kill_tree(proc, namespace)
                return proc.returncode, (f"sandbox: stopped for starting more than "
                                         f"{limits.extra_processes} processes or threads.")
    finally:
        if proc.poll() is None:
            _kill_tree(proc, namespace)
        else:  # background processes left in the worker's process group
            _send(os.killpg, proc.pid, signal.SIGKILL)

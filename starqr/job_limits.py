"""Background jobs in a child process with a time limit and a memory limit.

A job that runs away — a file that takes too long, or one that makes a reader allocate
without end — must end "failed" with its reason, and must not take the consumer down with
it. `run_limited` runs a function in a fresh (spawned) process whose address space is
capped with RLIMIT_AS, waits at most the time limit, and kills it when either is exceeded.
The process dies with its parent (PR_SET_PDEATHSIG), so a killed consumer leaves no orphan.

Outcomes: ("done", value) | ("error", jobs_health.error_record) | ("memory", None) | ("timeout", None) |
("died", exit code). A plain subprocess (`python -m starqr.job_limits`), not multiprocessing:
nothing of the consumer's threads or open connections is inherited.
"""

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys

from starqr import create_app
from starqr.db import database
from starqr.errors import N_
from starqr.services import access, imports, jobs_health

DEFAULT_TIME_LIMIT = 15 * 60
DEFAULT_MEMORY_LIMIT = 1024 * 1024 * 1024
_MARK = "starqr-job-result:"


def _die_with_parent():
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's timeout still applies
        pass


def _child_main():
    """`python -m starqr.job_limits`: read the job from stdin, print its outcome as one marked line."""
    _die_with_parent()
    job = json.loads(sys.stdin.read())
    if job.get("memory_limit"):
        limit = int(job["memory_limit"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        module_name, _, function_name = job["target"].partition(":")
        module = __import__(module_name, fromlist=[function_name])
        outcome = ("done", getattr(module, function_name)(*job.get("args", ())))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as error:  # noqa: BLE001 - reported to the parent as the job's reason
        outcome = ("error", jobs_health.error_record(error))
    try:
        line = json.dumps(list(outcome), default=str)
    except MemoryError:
        line = '["memory", null]'
    sys.stdout.write("\n" + _MARK + line + "\n")
    sys.stdout.flush()


def run_limited(target, args=(), time_limit=DEFAULT_TIME_LIMIT, memory_limit=DEFAULT_MEMORY_LIMIT, env=None):
    """Run "module:function"(*ARGS) in a child process within the limits; returns (outcome, value).

    ARGS and the value must be JSON. The child has the parent's sys.path and environment.
    """
    environment = dict(os.environ if env is None else env)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    job = json.dumps({"target": target, "args": list(args), "memory_limit": memory_limit})
    process = subprocess.Popen(
        [sys.executable, "-m", "starqr.job_limits"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environment,
        text=True,
    )
    try:
        output, _ = process.communicate(job, timeout=time_limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return "timeout", None
    for line in reversed(output.splitlines()):
        if line.startswith(_MARK):
            outcome, value = json.loads(line[len(_MARK) :])
            return outcome, value
    # No outcome line: killed (by the kernel's OOM killer, a signal) or aborted (a Rust allocation).
    return (
        ("memory", None) if process.returncode in (-signal.SIGKILL, -signal.SIGABRT) else ("died", process.returncode)
    )


# ---------------------------------------------------------------- imports


def import_in_child(config, batch_id, user_id):
    """The child's side of an import: its own app and database connection, then run_batch."""

    app = create_app(config)
    with app.app_context():
        database.connect(reuse_if_open=True)
        try:
            actor = access.actor_for_user_id(user_id, fallback_name="system")
            return imports.run_batch(batch_id, app.instance_path, actor=actor).status
        finally:
            if not database.is_closed():
                database.close()


CHILD_CONFIG_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "UPLOAD_FOLDER",
    "PUBLIC_BASE_URL",
    "ENV_NAME",
    "TESTING",
    "PASSWORD_METHOD",
    "HUEY_URL",
    "RATELIMIT_STORAGE_URI",
)

REASONS = {
    "timeout": N_("导入超过时间上限(%(limit)s 秒)被中止,未导入任何数据;请拆分文件后重试"),
    "memory": N_("导入超过内存上限被中止,未导入任何数据;文件可能过大或已损坏"),
    "died": N_("导入进程异常退出(代码 %(limit)s),未导入任何数据;请重试或拆分文件"),
}


def run_import_limited(app, batch_id, user_id):
    """Run an import batch in a limited child; a limit hit ends the batch failed with the reason."""

    config = {key: app.config.get(key) for key in CHILD_CONFIG_KEYS if key in app.config}
    config["HUEY_IMMEDIATE"] = True
    time_limit = app.config.get("IMPORT_TIME_LIMIT", DEFAULT_TIME_LIMIT)
    memory_limit = app.config.get("IMPORT_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    outcome, value = run_limited(
        "starqr.job_limits:import_in_child", (config, batch_id, user_id), time_limit, memory_limit
    )
    if outcome == "done":
        return value
    if outcome == "error":  # the child's error_record: a StarQRError's template and parameters
        jobs_health.fail_import_with(batch_id, value)
        return "failed"
    detail = {"timeout": time_limit, "died": value}.get(outcome, "")
    jobs_health.fail_import(batch_id, REASONS[outcome], code=f"job_{outcome}", limit=detail)
    return "failed"


if __name__ == "__main__":
    _child_main()

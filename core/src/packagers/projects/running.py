"""Runs of a project's entry points: check everything, then one process, one run record.

Everything that can be wrong is found before a run record exists (``planning``): the project
file, the entry point, every parameter, the rendered command or the handler's signature, then
the environment. From then on the run is a process in its own session (so cancelling stops all
it started), its stdout and stderr are captured and stored as the run's artifacts
(``_streams``), and the record always ends in a final state with its cause: a process that
could not start, exited non-zero or was killed by a signal is an ``error``, one stopped by
:meth:`ProjectRun.cancel` is ``cancelled``.

A command runs with ``bash -c`` in the project directory, as MLflow runs it. A handler runs in
the worker of the ``process`` executor (``python -m packagers.runner._worker``) started with the
environment's interpreter, so the function gets typed inputs and its outputs are logged exactly
as ``packagers.run`` does it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from packagers.projects._streams import STREAMS, Capture, log_streams, temp_file
from packagers.projects.errors import ProjectRunError
from packagers.projects.loading import load
from packagers.projects.planning import RunPlan, plan_run, prepare_environment
from packagers.projects.spec import Project
from packagers.run_states import RunState
from packagers.runner.handle import RunHandle, RunTimeoutError
from packagers.runner.record import RunRecord, new_run_id

if TYPE_CHECKING:
    from packagers.projects.environments import PreparedEnvironment
    from packagers.store import Store

__all__ = ["ProjectRun", "run"]


def run(
    uri: str | os.PathLike[str] | Project,
    entry_point: str = "main",
    params: dict[str, Any] | None = None,
    version: str | None = None,
    env_manager: str | None = None,
    project: str | None = None,
    store: Store | str | None = None,
    synchronous: bool = True,
    parent_id: str | None = None,
    run_id: str | None = None,
) -> ProjectRun:
    """Run an entry point of the project at ``uri`` (a directory or a git URL); return its handle.

    ``params`` are checked against the entry point's declared types (text such as ``"0.5"`` is
    converted) before anything is built; ``env_manager`` is ``local`` (this interpreter) or
    ``venv`` (the default when the project declares an environment); ``project`` and ``store``
    say where the run is recorded. A synchronous run echoes the output here and returns once it
    ended; otherwise the handle comes back at once (``wait()``, ``cancel()``). ``parent_id`` links
    the run to a parent run (a workflow's), ``run_id`` chooses its id.
    """
    loaded = uri if isinstance(uri, Project) else load(uri, version)
    plan = plan_run(loaded, entry_point, params, store_project=project, store=store)
    environment = prepare_environment(loaded, env_manager)
    handle = ProjectRun.start(
        plan, environment, echo=synchronous, parent_id=parent_id, run_id=run_id
    )
    if synchronous:
        try:
            handle.wait()
        except KeyboardInterrupt:
            handle.cancel()
            raise
    return handle


class ProjectRun(RunHandle):
    """The handle of a project run: the process, its captured output and its record.

    ``cancel()`` sends SIGTERM to the run's whole process group and SIGKILL after
    :attr:`grace_period` seconds. The record is completed and saved by a thread that waits for
    the process, so it ends even when nobody calls :meth:`wait` (the interpreter waits for that
    thread before it exits).
    """

    #: Seconds between SIGTERM and SIGKILL when a run is cancelled.
    grace_period: ClassVar[float] = 5.0

    def __init__(self, record: RunRecord, store: Store) -> None:
        self._record = record
        self._store = store
        self._process: subprocess.Popen[bytes] | None = None
        self._cancelled = False
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._failure: BaseException | None = None

    @classmethod
    def start(
        cls,
        plan: RunPlan,
        environment: PreparedEnvironment,
        *,
        echo: bool,
        parent_id: str | None = None,
        run_id: str | None = None,
    ) -> ProjectRun:
        """Record the run as ``running``, start its process and return its handle."""
        now = datetime.now(timezone.utc)
        details = {
            **plan.details,
            "environment": {"manager": environment.manager, "digest": environment.digest},
            "exit_code": None,
            "signal": None,
        }
        record = RunRecord(
            id=run_id or new_run_id(now),
            name=plan.entry.name,
            project=plan.store_project,
            function=details.get("handler"),
            executor="process",
            params=plan.params,
            inputs=plan.inputs,
            started=now.isoformat(),
            parent_id=parent_id,
            project_run=details,
        )
        handle = cls(record, plan.store)
        plan.store.save_run(record.to_dict())
        handle._launch(plan, environment, echo)
        return handle

    # -- the handle -----------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def record(self) -> RunRecord:
        return self._record

    def wait(self, timeout: float | None = None) -> RunRecord:
        if not self._finished.wait(timeout):
            raise RunTimeoutError(
                f"project run {self.id} is still {self._record.state} after {timeout} s"
            )
        if self._failure is not None:
            raise self._failure
        return self._record

    def cancel(self) -> bool:
        with self._lock:
            process = self._process
            if self._finished.is_set() or process is None or process.poll() is not None:
                return False
            self._cancelled = True
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(self.grace_period)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
        self._finished.wait()
        return True

    # -- the process ----------------------------------------------------------------------------

    def _launch(self, plan: RunPlan, environment: PreparedEnvironment, echo: bool) -> None:
        streams = {
            key: Capture(key, sys.stdout if key == "stdout" else sys.stderr, echo)
            for key in STREAMS
        }
        reply = request = None
        try:
            if plan.command is not None:
                argv = ["bash", "-c", plan.command]
            else:
                assert plan.request is not None
                request = temp_file("request", ".json")
                reply = temp_file("reply", ".json")
                record_fields = {
                    "name": self._record.name,
                    "parent_id": self._record.parent_id,
                    "project_run": self._record.project_run,
                }
                with open(request, "w", encoding="utf-8") as stream:
                    json.dump(
                        {**plan.request, "run_id": self.id, "record_fields": record_fields},
                        stream,
                    )
                argv = [environment.python, "-m", "packagers.runner._worker", reply]
            with contextlib.ExitStack() as stack:
                stdin = stack.enter_context(open(request, "rb")) if request else None
                self._process = subprocess.Popen(
                    argv,
                    cwd=plan.project.root,
                    env=_environment_variables(plan, environment, self.id),
                    stdin=stdin if stdin is not None else (None if echo else subprocess.DEVNULL),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                )
        except OSError as error:
            for capture in streams.values():
                capture.close()
            self._finish_unstarted(error, streams, [request, reply])
            return
        assert self._process.stdout is not None and self._process.stderr is not None
        streams["stdout"].follow(self._process.stdout)
        streams["stderr"].follow(self._process.stderr)
        threading.Thread(
            target=self._watch,
            args=(streams, reply, [request, reply]),
            name=f"packagers-project-run-{self.id}",
        ).start()

    def _finish_unstarted(
        self,
        error: OSError,
        streams: dict[str, Capture],
        temporary: list[str | None],
    ) -> None:
        self._record.fail(ProjectRunError(f"the entry point's process could not start: {error}"))
        self._complete(streams, temporary)

    def _watch(
        self,
        streams: dict[str, Capture],
        reply: str | None,
        temporary: list[str | None],
    ) -> None:
        assert self._process is not None
        code = self._process.wait()
        _signal_group(self._process, signal.SIGTERM)  # what it left running in its group
        for capture in streams.values():
            capture.join()
        with self._lock:
            cancelled = self._cancelled
        details = dict(self._record.project_run or {})
        details["exit_code"] = code if code >= 0 else None
        details["signal"] = signal.Signals(-code).name if code < 0 else None
        outcome = _read_reply(reply) if reply is not None else None
        if outcome is not None and "record" in outcome:
            self._record = RunRecord.from_dict(outcome["record"])
        elif outcome is not None and "error" in outcome:
            self._record.state, self._record.error = RunState.ERROR, outcome["error"]
        if cancelled:
            self._record.state = RunState.CANCELLED
        elif code != 0:
            self._record.fail(ProjectRunError(_ended(code, reply is not None, streams["stderr"])))
        elif reply is None:
            self._record.state = RunState.COMPLETED
        elif outcome is None:
            self._record.fail(ProjectRunError("the handler's worker exited without a run record"))
        self._record.project_run = details
        self._complete(streams, temporary)

    def _complete(self, streams: dict[str, Capture], temporary: list[str | None]) -> None:
        """Store the output, stamp the end, save the final record, whatever happened before."""
        record = self._record
        try:
            try:
                record.artifacts.update(log_streams(self._store, record, streams))
            except Exception as error:  # the output is lost, the record must still end
                if record.state != RunState.ERROR:
                    record.fail(error)
            record.finish()
            self._store.save_run(record.to_dict(), announced=True)
        except BaseException as error:
            self._failure = error
        finally:
            for capture in streams.values():
                capture.remove()
            for path in temporary:
                if path is not None:
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(path)
            self._finished.set()


def _ended(code: int, handler: bool, stderr: Capture) -> str:
    what = "the handler's worker" if handler else "the command"
    how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
    last = stderr.last_line()
    return f"{what} {how}" + (f"; its last error line: {last}" if last else "")


def _read_reply(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except FileNotFoundError:
        return None
    return json.loads(text) if text else None


def _environment_variables(
    plan: RunPlan, environment: PreparedEnvironment, run_id: str
) -> dict[str, str]:
    """This process's environment, with the environment's ``bin`` first on PATH and the store
    and project of the run set, so a command that uses packagers logs where the run is."""
    variables = dict(os.environ)
    if environment.bin_dir is not None:
        variables["PATH"] = os.pathsep.join(
            [str(environment.bin_dir), *filter(None, [variables.get("PATH")])]
        )
    variables["MLRUN_PACKAGERS__STORE__URL"] = plan.store.url
    variables["MLRUN_PACKAGERS__PROJECT"] = plan.store_project
    variables["PACKAGERS_RUN_ID"] = run_id
    return variables


def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)

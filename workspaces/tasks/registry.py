"""The registered task functions and `enqueue` (PRODUCT.md section 11, "Background work").

A task is a plain function taking keyword arguments that JSON can hold; `@task` registers it under a name, which is
what a `Task` row stores (so a row outlives a refactoring that moves the function, as long as the name stays).
Modules that register tasks are listed in `settings.TASK_MODULES` and imported by the worker when it starts, so a
lower app never imports a higher one to find its tasks."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, router, transaction
from django.utils import timezone

from workspaces.tasks.models import Task

DEFAULT_TASK_MODULES = ["workspaces.tasks.builtin", "invoicing.zatca.tasks", "suppliers.tasks"]
DEFAULT_MAX_ATTEMPTS = 5

Function = TypeVar("Function", bound=Callable[..., Any])


class _More:
    """What a task returns when more work is due at once (a full batch): its next run is queued for now."""

    def __repr__(self) -> str:
        return "MORE"


MORE = _More()


@dataclass(frozen=True)
class TaskSpec:
    """A registered task. `every`: periodic, the worker keeps one pending run of it. `atomic`: the function and
    the row's done-mark commit together, so a database-only job's effects happen exactly once; a task that calls
    the network (not atomic) must be idempotent itself, since a worker that dies after the call runs it again."""

    name: str
    function: Callable[..., Any]
    every: dt.timedelta | None = None
    atomic: bool = True
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


_registry: dict[str, TaskSpec] = {}
_worker = threading.local()  # per thread: the tests run workers in threads


def stop_requested() -> bool:
    """True once the worker running this task was asked to stop (SIGTERM): a task that works in batches ends its
    batch early, leaving the rest for the next run."""
    should_stop = getattr(_worker, "should_stop", None)
    return bool(should_stop is not None and should_stop())


@contextlib.contextmanager
def stop_signal(should_stop: Callable[[], bool] | None) -> Iterator[None]:
    """Makes `should_stop` what `stop_requested()` asks, in this thread, for the duration (the worker's pass)."""
    previous = getattr(_worker, "should_stop", None)
    _worker.should_stop = should_stop
    try:
        yield
    finally:
        _worker.should_stop = previous


@overload
def task(name: Function, /) -> Function: ...


@overload
def task(
    name: str | None = None,
    *,
    every: dt.timedelta | None = None,
    atomic: bool = True,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Callable[[Function], Function]: ...


def task(
    name: str | Callable[..., Any] | None = None,
    *,
    every: dt.timedelta | None = None,
    atomic: bool = True,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Any:
    """Registers a function as a task named `name` (by default its module and name): `@task` or `@task(...)`."""
    if callable(name):
        return task()(name)
    if every is not None and every <= dt.timedelta(0):
        raise ImproperlyConfigured("A periodic task needs a positive `every`.")
    if max_attempts < 1:
        raise ImproperlyConfigured("A task needs at least one attempt.")

    def register(function: Function) -> Function:
        task_name = name or f"{function.__module__}.{function.__qualname__}"
        known = _registry.get(task_name)
        if known is not None and _origin(known.function) != _origin(function):
            raise ImproperlyConfigured(
                f"Two tasks are named {task_name!r}: {_origin(known.function)} and {_origin(function)}."
            )
        _registry[task_name] = TaskSpec(task_name, function, every, atomic, max_attempts)
        function.task_name = task_name  # type: ignore[attr-defined]  # enqueue(function) finds its name
        return function

    return register


def _origin(function: Callable[..., Any]) -> str:
    # A module imported again (a reload) registers a new function object from the same place: that is no clash.
    return f"{function.__module__}.{function.__qualname__}"


def load_task_modules() -> None:
    """Imports the modules of `settings.TASK_MODULES`, which register their tasks (cheap once imported)."""
    for module in getattr(settings, "TASK_MODULES", DEFAULT_TASK_MODULES):
        importlib.import_module(module)


def get_task(name: str) -> TaskSpec | None:
    """The task registered as `name`, importing the task modules first if it is not known yet."""
    if name not in _registry:
        load_task_modules()
    return _registry.get(name)


def registered() -> dict[str, TaskSpec]:
    """Every registered task by name, the task modules imported first."""
    load_task_modules()
    return dict(_registry)


def periodic(names: Iterable[str] | None = None) -> list[TaskSpec]:
    """The registered periodic tasks (only those named in `names`, when given)."""
    wanted = None if names is None else set(names)
    return [
        spec
        for spec in registered().values()
        if spec.every is not None and (wanted is None or spec.name in wanted)
    ]


def task_database() -> str:
    """The database of the queue: the primary (a replica may lag, and claims write)."""
    return router.db_for_write(Task)


def enqueue(
    name_or_function: str | Callable[..., Any],
    *,
    args: dict[str, Any] | None = None,
    run_at: dt.datetime | None = None,
    unique_key: str | None = None,
) -> Task | None:
    """Queues one run of a registered task with keyword `args` (JSON), due at `run_at` (now by default). None when
    a pending run with the same `unique_key` exists already (that run does the job). In the caller's transaction:
    the job exists if and only if the caller's work commits, and a worker sees it once it has."""
    name = getattr(name_or_function, "task_name", name_or_function)
    if not isinstance(name, str):
        raise LookupError(f"{name_or_function!r} is not a registered task (decorate it with @task).")
    spec = get_task(name)
    if spec is None:
        raise LookupError(f"No task is registered as {name!r} (is its module in settings.TASK_MODULES?).")
    database = task_database()
    row = Task(
        name=name,
        args=args or {},
        run_at=run_at or timezone.now(),
        max_attempts=spec.max_attempts,
        unique_key=unique_key,
    )
    try:
        with transaction.atomic(
            using=database
        ):  # a savepoint: a duplicate leaves the caller's transaction usable
            row.save(using=database, force_insert=True)
    except IntegrityError:
        if unique_key is None:
            raise
        return None
    return row

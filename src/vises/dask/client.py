"""Where Dask work runs (the active ``distributed`` client, else dask's local scheduler) and its progress bar."""

from __future__ import annotations

import contextlib
import contextvars
import sys
from collections.abc import Iterator
from typing import Any

from vises.errors import ConfigError, MissingDependencyError

_PROGRESS: contextvars.ContextVar[bool] = contextvars.ContextVar("vises_dask_progress", default=False)


def require_dask(feature: str) -> None:
    """Stop with the extra to install when dask (or distributed) is missing."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError("dask", "dask", feature) from exc


@contextlib.contextmanager
def progress_bars(show: bool = True) -> Iterator[None]:
    """Inside the block, every computation vises starts on Dask draws a progress bar (on stderr)."""
    token = _PROGRESS.set(show)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def active_client() -> Any:
    """The ``distributed.Client`` in use, or ``None`` (then dask's local threads run the work)."""
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover - distributed is part of the extra
        return None
    try:
        return get_client()
    except ValueError:
        return None


def compute(*collections: Any) -> tuple[Any, ...]:
    """``dask.compute`` on the active client or the local scheduler, with a progress bar when asked."""
    import dask

    client = active_client()
    if not _PROGRESS.get():
        return tuple(dask.compute(*collections))
    if client is not None:
        futures = client.compute(list(collections))
        show_progress(futures)
        return tuple(client.gather(futures))
    from dask.diagnostics import ProgressBar

    with ProgressBar(minimum=1.0, out=sys.stderr):
        return tuple(dask.compute(*collections))


def show_progress(futures: list[Any]) -> None:
    """Draw the futures' progress on stderr until they finish, when progress bars are on.

    Stdout stays for the results (distributed draws on stdout; it is pointed at stderr meanwhile).
    """
    if not _PROGRESS.get():
        return
    from distributed import progress

    with contextlib.redirect_stdout(sys.stderr):
        progress(futures)


@contextlib.contextmanager
def cluster(
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    threads: int = 1,
    memory_limit: str | int | None = None,
) -> Iterator[Any]:
    """A client on ``scheduler`` (``tcp://host:8786``), or on a ``LocalCluster`` started for the block.

    The local cluster has ``workers`` processes (default: one per core) of ``threads`` threads each
    (processes, not threads: the checks and the column kernels hold the GIL much of the time);
    it is closed when the block ends. ``memory_limit`` bounds each worker (``"2GiB"``; default:
    the machine's memory shared among the workers): past 60 % of it a worker spills its results to
    disk, past 95 % it is restarted. A scheduler that cannot be reached is a ``ConfigError``.
    """
    require_dask("running on a Dask cluster")
    import logging

    from distributed import Client, LocalCluster

    # Each rank's sort is a shuffle; the scheduler logs every one at WARNING, which says nothing to a user.
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(
                f"cannot reach the Dask scheduler at {scheduler!r}: {exc}",
                hint="give the address the scheduler prints (tcp://host:8786), and check that it runs",
            ) from exc
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=threads,
            processes=True,
            dashboard_address=None,
            memory_limit="auto" if memory_limit is None else memory_limit,
        ) as local,
        Client(local) as client,
    ):
        yield client


__all__ = ["active_client", "cluster", "compute", "progress_bars", "require_dask", "show_progress"]

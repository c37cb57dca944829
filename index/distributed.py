"""Sentence embedding on Ray (`newsbot index --ray [ADDRESS]`), for corpora too big for one machine's cores.

Only the embedding leaves this process: the indexer reads, splits and attributes articles here as always, hands
each batch's document texts to `RayEmbedder`, which embeds them as a Ray Data `map_batches` over actors that each
load the encoder once, and commits the vectors it gets back through the same code path as local indexing (same
store rows, same ids, same vector index). Ray is an optional extra (`newsbot[ray]`), imported only here, and this
module only when `--ray` is given."""

from __future__ import annotations

import logging
import os
import socket
import warnings
from collections.abc import Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any

import numpy as np

from index.errors import ClusterError, NewsbotError
from index.settings import Settings

RAY_EXTRA = "pip install 'newsbot[ray]'"
# Sentences embedded and committed together on Ray: each batch is one Ray Data run, which starts its actors and
# loads the model in each, so a batch is worth far more than that start-up (2000, local indexing's, is not).
RAY_BATCH_SENTENCES = 50_000
ROWS_PER_CALL = 256  # sentences one actor embeds in one call
CONNECT_TIMEOUT = 10.0  # seconds to wait for a cluster's address to accept a connection
THREADS_PER_WORKER = 2  # torch threads of one actor (NEWSBOT_THREADS overrides): many small workers, not a few big
# Workers never reach the network: the model is in site-packages (index.encoder), and nothing else is fetched.
# What this driver sets (unless already set) before it starts Ray: no usage report.
RAY_QUIET = {"RAY_USAGE_STATS_ENABLED": "0"}
WORKER_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


class SentenceEmbedder:
    """Ray Data's callable class: built once per actor, it loads the encoder newsbot's settings name and turns
    batches of {position, text} rows into {position, vector} rows."""

    def __init__(self, settings: Settings) -> None:
        from index.engine import build_encoder  # in the worker: the same encoder class the driver's engine uses

        self.encoder = build_encoder(settings)
        self.encoder.load()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return the batch's positions with one unit vector for each text."""
        return {"position": batch["position"], "vector": self.encoder.encode(list(batch["text"]), "document")}


class RayEmbedder:
    """Embeds document texts on Ray, the engine's encoder in each actor; use it as a context manager, which
    starts (or connects to) Ray on entry and shuts it down on exit. An instance is an indexer's `embedder`."""

    def __init__(self, settings: Settings, address: str | None = None, workers: int = 0) -> None:
        self.settings = settings
        self.address = address or None  # None: a local Ray on this machine's cores
        self.threads = settings.threads or THREADS_PER_WORKER
        self.workers = workers  # 0: as many as the cluster's CPUs allow at self.threads each
        self._ray: Any = None

    def __enter__(self) -> RayEmbedder:
        """Start a local Ray, or connect to the cluster at the address; raise ClusterError when Ray is not
        installed or the address cannot be reached (before anything is read or written)."""
        for key, value in RAY_QUIET.items():
            os.environ.setdefault(key, value)
        try:
            import ray
            import ray.data
        except ImportError:
            raise ClusterError(f"--ray needs the optional extra: {RAY_EXTRA}") from None
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": logging.ERROR,
            "runtime_env": {"env_vars": {**WORKER_ENV, "OMP_NUM_THREADS": str(self.threads)}},
        }
        if self.address is not None:
            check_reachable(self.address)  # Ray itself retries an address where nothing answers for minutes
        elif not os.environ.get("RAY_ADDRESS"):  # Ray's own variable names a cluster to join instead
            options["num_cpus"] = os.cpu_count() or 1
        try:
            ray.init(address=self.address, **options)
        except Exception as e:  # noqa: BLE001 - any failure to start or connect is one line for the user
            where = f"the Ray cluster at {self.address}" if self.address else "a local Ray"
            raise ClusterError(f"cannot start or reach {where}: {_one_line(e)}") from None
        self._ray = ray
        try:
            with warnings.catch_warnings():  # Ray Data's own settings warn about their own deprecated names
                warnings.simplefilter("ignore", DeprecationWarning)
                context = ray.data.DataContext.get_current()
            context.enable_progress_bars = False
            context.print_on_execution_start = False
            for name in ("ray", "ray.data"):
                logging.getLogger(name).setLevel(logging.ERROR)
            if not self.workers:
                cpus = int(ray.cluster_resources().get("CPU", 1))
                self.workers = max(1, cpus // self.threads)
        except BaseException:
            self.__exit__(None, None, None)  # a Ray started is a Ray stopped, whatever fails next
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Shut Ray down (a local one stops; a cluster keeps running, this driver leaves it)."""
        if self._ray is not None:
            self._ray.shutdown()
            self._ray = None

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dimension) float32 array of the encoder's unit vectors, one row per text, in order."""
        if self._ray is None:
            raise ClusterError("the Ray embedder is used outside its `with` block")
        ray = self._ray
        rows = [{"position": i, "text": t} for i, t in enumerate(texts)]
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        worker_settings = replace(self.settings, threads=self.threads, progress=False)
        try:
            with warnings.catch_warnings():  # max_restarts is a Ray remote argument, which Ray 2.60 calls deprecated
                warnings.simplefilter("ignore", DeprecationWarning)
                embedded = ray.data.from_items(rows).map_batches(
                    SentenceEmbedder,
                    fn_constructor_args=(worker_settings,),
                    batch_size=ROWS_PER_CALL,
                    batch_format="numpy",
                    compute=ray.data.ActorPoolStrategy(size=self.workers),
                    num_cpus=min(self.threads, _cpus(ray)),
                    # A worker that dies fails the batch (nothing of it is written; a rerun embeds it): Ray could
                    # not restart a Ray Data actor whose constructor arguments were lost (ray-project/ray#53727).
                    max_restarts=0,
                )
            vectors: np.ndarray | None = None
            filled = np.zeros(len(rows), dtype=bool)
            for batch in embedded.iter_batches(batch_format="numpy", batch_size=None):
                got = np.asarray(batch["vector"], dtype=np.float32)
                if vectors is None:
                    vectors = np.zeros((len(rows), got.shape[1]), dtype=np.float32)
                positions = np.asarray(batch["position"], dtype=np.int64)
                vectors[positions] = got
                filled[positions] = True
        except Exception as e:  # noqa: BLE001 - a worker's failure is one line; nothing of this batch is written
            raise _worker_error(e) from None
        if vectors is None or not filled.all():
            raise ClusterError(f"Ray returned vectors for {int(filled.sum())} of {len(rows)} sentences")
        return vectors


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Raise ClusterError unless something accepts a TCP connection at a HOST:PORT or ray://HOST:PORT address
    (`auto` and `local` are Ray's to resolve)."""
    where = address.removeprefix("ray://").rstrip("/")
    if address in {"auto", "local"} or "://" in where:
        return
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"{address} is no Ray address: give HOST:PORT, ray://HOST:10001 or auto")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as e:
        raise ClusterError(
            f"nothing answers at {address} ({e.strerror or type(e).__name__}); is the Ray cluster's head "
            "running there (ray start --head)?"
        ) from None


def _cpus(ray: Any) -> int:
    """Return the CPUs of the cluster's biggest node (an actor must fit on one)."""
    return max([int(n.get("Resources", {}).get("CPU", 1)) for n in ray.nodes() if n.get("Alive")] or [1])


def _worker_error(error: BaseException) -> NewsbotError:
    """Return the error to show for a failed Ray run: a newsbot error raised in a worker keeps its message."""
    seen: BaseException | None = error
    for _ in range(10):  # Ray wraps what a worker raised (RayTaskError.cause, UserCodeException.__cause__)
        if seen is None:
            break
        if isinstance(seen, NewsbotError) and not type(seen).__module__.startswith("ray"):
            return ClusterError(f"a Ray worker failed: {seen}")
        seen = getattr(seen, "cause", None) or seen.__cause__
    return ClusterError(f"embedding on Ray failed: {_one_line(error)}")


def _one_line(error: BaseException) -> str:
    """Return an exception as one short line: its type and the first line of its message."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}"[:300]

"""Files written whole or not at all, and read within a limit.

:func:`write_atomically` writes through a temporary file beside the target,
named ``.NAME.autograd-graph-PID-RANDOM.tmp`` (PID: the writing process),
then ``os.replace``: a crash leaves the old file or the new one, never half of
one. A process killed mid-write (SIGKILL, a power cut) cannot remove its
temporary file; the next successful save of the same target removes those
whose process is gone.

:func:`read_limited` reads a file of at most ``max_bytes``
(:data:`MAX_FILE_BYTES`, 128 MiB, unless told otherwise) and refuses anything
that is not a regular file (a FIFO would block forever, a device never end).

:func:`interrupts_deferred` holds Ctrl-C back while a file that must be
finished is written (a checkpoint, the result of a long command).
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..exceptions import SerializationError

__all__ = [
    "write_atomically",
    "prepare_folder",
    "check_writable",
    "read_limited",
    "interrupts_deferred",
    "MAX_FILE_BYTES",
    "TEMP_TAG",
]

MAX_FILE_BYTES = 128 * 2**20  # a saved network of about 2 million weights; parsing takes ~15× its size in memory
TEMP_TAG = "autograd-graph"  # in every temporary file's name: .NAME.autograd-graph-PID-RANDOM.tmp
_LIVE: set[str] = set()  # temporary files this process is writing now (another thread's are not stale)
_STALE_AGE = 24 * 3600.0  # where a process cannot be asked whether it lives: a day-old temporary file is stale


def prepare_folder(path: str | os.PathLike) -> Path:
    """Create the folder that ``path`` will be written into (and its parents), if missing.

    Call it before long work whose result goes to ``path``, so that a path
    that cannot be written fails at once, not after the work.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OSError
        ``path`` is a folder, or its folder cannot be created or written (a
        parent is a file, no permission); the message names ``path``.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> prepare_folder(root / "new" / "deeper" / "a.txt").parent.is_dir()
    True
    """
    path = check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise NotADirectoryError(f"cannot write {path}: {path.parent} (or a folder above it) is a file") from None
    except OSError as error:
        raise type(error)(error.errno, f"cannot create the folder of {path}: {error.strerror}") from None
    return path


def check_writable(path: str | os.PathLike) -> Path:
    """Check, without creating anything, that ``path`` can be written: it is no folder, and its folder
    exists and is writable or can be created (the nearest existing folder above it is writable).

    Raises
    ------
    OSError
        Naming ``path`` and what is in the way.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_writable(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    IsADirectoryError: cannot write ...: it is a folder; give a file name
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise OSError(f"cannot write {path}: it is not a regular file")
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise NotADirectoryError(f"cannot write {path}: {existing} (a folder above it) is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        what = "its folder" if existing == path.parent else "the folder to create it in"
        raise PermissionError(f"cannot write {path}: {what}, {existing}, is not writable")
    return path


def _file_mode(path: Path) -> int:
    """The mode a plain ``open(path, "w")`` would give: the old file's, else 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _temp_prefix(path: Path) -> str:
    return f".{path.name[:180]}.{TEMP_TAG}-"  # (a long name is cut: the temporary's must stay under 255 bytes)


def _is_stale(entry: os.DirEntry, prefix: str) -> bool:
    """Whether a temporary file of ``write_atomically`` was left by a process that no longer runs."""
    pid_text = entry.name[len(prefix) :].split("-", 1)[0]
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return entry.path not in _LIVE
    if os.name != "posix":  # (os.kill(pid, 0) would end the process on Windows)
        try:
            return time.time() - entry.stat().st_mtime > _STALE_AGE
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, as another user
        return False
    return False


def _remove_stale(path: Path) -> None:
    """Remove the temporary files of ``path`` left by processes that were killed mid-write."""
    prefix = _temp_prefix(path)
    try:
        with os.scandir(path.parent) as entries:
            stale = [e.path for e in entries if e.name.startswith(prefix) and e.name.endswith(".tmp")
                     and _is_stale(e, prefix)]  # fmt: skip
    except OSError:
        return
    for name in stale:
        try:
            os.unlink(name)
        except OSError:
            pass  # gone already, or not ours to remove: the save itself succeeded


def write_atomically(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``.

    A crash or an error mid-way leaves the previous file (or no file) in place,
    never a half-written one. Text is written as UTF-8. A missing folder is
    created first, with its parents (as ``mkdir -p``): ``render(net,
    "out/net.svg")`` works in a fresh directory. After the write, temporary
    files of the same target left by killed processes are removed.

    Raises
    ------
    OSError
        ``path`` is a folder, or its folder cannot be created or written; the message names ``path``.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> write_atomically(Path(folder) / "a.txt", "hello").read_text()
    'hello'
    >>> write_atomically(Path(folder) / "new" / "b.txt", b"bytes").read_bytes()
    b'bytes'
    """
    path = prepare_folder(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f"{_temp_prefix(path)}{os.getpid()}-", suffix=".tmp")
    _LIVE.add(name)
    temporary = Path(name)
    try:
        os.chmod(descriptor, _file_mode(path))  # mkstemp's 0600 would stick to the file
        with open(descriptor, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.replace(temporary, path)
        except IsADirectoryError:  # a folder appeared at path meanwhile
            raise IsADirectoryError(f"cannot write {path}: it is a folder; give a file name") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        _LIVE.discard(name)
    _remove_stale(path)
    return path


def read_limited(path: str | os.PathLike, max_bytes: int | None = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path``, refusing more than ``max_bytes`` (None: no limit).

    Raises
    ------
    SerializationError
        ``path`` is not a regular file (a folder, a FIFO, a device), or is
        larger than ``max_bytes``; the message names it and the limit.
    OSError
        It cannot be read (no such file, no permission).

    Examples
    --------
    >>> import tempfile
    >>> path = write_atomically(Path(tempfile.mkdtemp()) / "a.json", "{}")
    >>> read_limited(path)
    b'{}'
    >>> read_limited(path, max_bytes=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_graph.exceptions.SerializationError: '.../a.json' is 2 bytes, over the limit of 1 byte (max_bytes=...)
    """
    source = repr(str(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)  # a FIFO opens without a writer
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a FIFO, a socket or a device)"
            raise SerializationError(f"{source} is {what}; expected a file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise _too_big(source, info.st_size, max_bytes)
        with open(descriptor, "rb", closefd=False) as file:
            data = file.read() if max_bytes is None else file.read(max_bytes + 1)
    finally:
        os.close(descriptor)
    if max_bytes is not None and len(data) > max_bytes:  # it grew while being read
        raise _too_big(source, len(data), max_bytes)
    return data


def _too_big(source: str, size: int, limit: int) -> SerializationError:
    unit = "byte" if limit == 1 else "bytes"
    return SerializationError(
        f"{source} is {size:,} bytes, over the limit of {limit:,} {unit} (max_bytes=..., "
        f"{MAX_FILE_BYTES // 2**20} MiB by default: pass a larger max_bytes, or None, for a file you trust)"
    )


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back while the block runs, then raise ``KeyboardInterrupt`` if one came.

    A file being written when the user presses Ctrl-C is finished first. It
    acts only in the main thread and while Python's own SIGINT handler is in
    place (elsewhere, and with a handler of the user's, it changes nothing).

    Examples
    --------
    >>> try:
    ...     with interrupts_deferred():
    ...         signal.raise_signal(signal.SIGINT)  # held back until the block ends
    ...         print("the write finishes")
    ... except KeyboardInterrupt:
    ...     print("then the interrupt")
    the write finishes
    then the interrupt
    """
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    received: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if received:
        raise KeyboardInterrupt

"""Writing files whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically", "prepare_folder"]


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
        The folder cannot be created (a parent is a file, no permission); the
        message names ``path``.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> prepare_folder(root / "new" / "deeper" / "a.txt").parent.is_dir()
    True
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise NotADirectoryError(f"cannot write {path}: {path.parent} (or a folder above it) is a file") from None
    except OSError as error:
        raise type(error)(error.errno, f"cannot create the folder of {path}: {error.strerror}") from None
    if not os.access(path.parent, os.W_OK):
        raise PermissionError(f"cannot write {path}: its folder {path.parent} is not writable")
    return path


def _file_mode(path: Path) -> int:
    """The mode a plain ``open(path, "w")`` would give: the old file's, else 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``.

    A crash or an error mid-way leaves the previous file (or no file) in place,
    never a half-written one. Text is written as UTF-8. A missing folder is
    created first, with its parents (as ``mkdir -p``): ``render(net,
    "out/net.svg")`` works in a fresh directory.

    Raises
    ------
    OSError
        The folder cannot be created or written; the message names ``path``.

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
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        os.chmod(descriptor, _file_mode(path))  # mkstemp's 0600 would stick to the file
        with open(descriptor, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path

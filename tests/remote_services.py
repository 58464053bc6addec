"""Services the remote tests talk to, all on 127.0.0.1 and stopped after: moto's S3 server, an HTTP
server that answers byte ranges (or lies about them on purpose), and a fake Hugging Face filesystem.

Nothing here reaches the internet; the S3 credentials are moto's dummies.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import socket
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import numpy as np
from fsspec.implementations.local import LocalFileSystem

S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def moto_s3() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1: yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def upload_folder(client, bucket: str, folder: Path, prefix: str) -> None:
    for file in sorted(folder.rglob("*")):
        if file.is_file() and not file.is_symlink():
            client.upload_file(str(file), bucket, f"{prefix}/{file.relative_to(folder).as_posix()}")


class _RangeHandler(SimpleHTTPRequestHandler):
    """Files with ``Range: bytes=a-b`` answered as 206 and an ETag; folders as index pages of links.

    ``mode`` (set on the server) makes it misbehave: ``ignore-ranges`` sends the whole file with 200,
    ``huge-length`` announces a Content-Length of an exabyte, ``dotdot`` lists a link to ``../``.
    """

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def _file(self) -> Path | None:
        path = self.translate_path(self.path)
        return Path(path) if os.path.isfile(path) else None

    def _index(self, folder: Path) -> None:
        names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
        if self.server.mode == "dotdot":
            names.append("../outside.h5")
        body = "".join(f'<a href="{html.escape(n)}">{html.escape(n)}</a>\n' for n in names).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def _serve(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            return self._index(path)
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.server.requests.append((self.command, self.path, self.headers.get("Range")))
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        mode = self.server.mode
        length = str(10**18) if mode == "huge-length" else None
        if match and mode != "ignore-ranges":
            start = int(match.group(1))
            end = min(int(match.group(2)) if match.group(2) else len(data) - 1, len(data) - 1)
            body = data[start : end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{length or len(data)}")
        else:
            body = data
            self.send_response(200)
        self.send_header("Content-Length", length if self.command == "HEAD" and length else str(len(body)))
        self.send_header("ETag", f'"{len(data):x}-{path.stat().st_mtime_ns:x}"')
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()


@contextlib.contextmanager
def range_http_server(folder: Path, mode: str = "honest") -> Iterator[tuple[str, list]]:
    """An HTTP server for ``folder`` on 127.0.0.1: yields its base URL (``http://127.0.0.1:PORT``) and the
    list it appends ``(method, path, Range header)`` to for every file request."""

    def handler(*args, **kwargs):
        return _RangeHandler(*args, directory=str(folder), **kwargs)

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.mode = mode
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class FakeHfFileSystem(LocalFileSystem):
    """``hf://`` served from a local folder (``HF_FAKE_ROOT``): listings carry LFS sha256s as the hub's do.

    A name listed in ``HF_FAKE_HOSTILE`` is added to every listing as the hub would never send it.
    """

    protocol = "hf"
    root_marker = ""

    @classmethod
    def _strip_protocol(cls, path):
        path = str(path)
        path = path[len("hf://"):] if path.startswith("hf://") else path
        return path.rstrip("/")

    def _local(self, path: str) -> str:
        return os.path.join(os.environ["HF_FAKE_ROOT"], self._strip_protocol(path))

    def info(self, path, **kwargs):
        out = super().info(self._local(path), **kwargs)
        return self._hub(path, out)

    def _hub(self, path: str, out: dict) -> dict:
        out = dict(out, name=self._strip_protocol(path))
        if out["type"] == "file":
            out["lfs"] = {"sha256": f"{out['size']:064x}", "size": out["size"]}
            out["blob_id"] = f"{out['size']:040x}"
        return out

    def find(self, path, maxdepth=None, withdirs=False, detail=False, **kwargs):
        base = self._strip_protocol(path)
        local = LocalFileSystem().find(self._local(path), maxdepth=maxdepth, withdirs=withdirs, detail=True)
        root = os.environ["HF_FAKE_ROOT"].rstrip("/") + "/"
        out = {name[len(root):]: self._hub(name[len(root):], info) for name, info in local.items()}
        hostile = os.environ.get("HF_FAKE_HOSTILE")
        if hostile:
            out[f"{base}/{hostile}"] = {"name": f"{base}/{hostile}", "type": "file", "size": 10}
        return out if detail else sorted(out)

    def cat_file(self, path, start=None, end=None, **kwargs):
        return super().cat_file(self._local(path), start=start, end=end, **kwargs)


def write_big_h5(path: Path, inputs: int, units: int) -> None:
    """A legacy Keras HDF5 full model whose hidden Dense kernel is ``inputs x units`` float32 (real bytes on disk).

    Made with h5py alone, in the layout tf.keras writes (the sample tfk_linear_head_bce.h5, widened).
    """
    import h5py

    sample = Path(__file__).resolve().parents[1] / "sample_models" / "tfk_linear_head_bce.h5"
    with h5py.File(sample, "r") as src, h5py.File(path, "w") as out:
        config = json.loads(src.attrs["model_config"])
        layers = config["config"]["layers"]
        layers[0]["config"]["batch_input_shape"] = [None, inputs]
        layers[1]["config"]["units"] = units
        for key, value in src.attrs.items():
            out.attrs[key] = value
        out.attrs["model_config"] = json.dumps(config)
        src.copy("model_weights", out)
        src.copy("optimizer_weights", out)
        group = out["model_weights/hidden/hidden"]
        del group["kernel:0"], group["bias:0"]
        kernel = group.create_dataset("kernel:0", shape=(inputs, units), dtype="float32")
        rows = max(1, (8 << 20) // (units * 4))
        rng = np.random.default_rng(0)
        for start in range(0, inputs, rows):
            stop = min(inputs, start + rows)
            kernel[start:stop] = rng.standard_normal((stop - start, units), dtype=np.float32) * 0.01
        group.create_dataset("bias:0", data=np.zeros(units, dtype="float32"))
        outs = out["model_weights/out/out"]
        del outs["kernel:0"]
        outs.create_dataset("kernel:0", data=np.full((units, 1), 0.01, dtype="float32"))

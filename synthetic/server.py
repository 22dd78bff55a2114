"""Serve a DemoStore over HTTP on 127.0.0.1: in a background thread, or as a process (`python -m synthetic.server`)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .site import MODEL_SHOTS, DemoStore

logger = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:
        logger.debug("demo store: " + format, *args)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class StoreServer:
    """A running demo store; use as a context manager, or call stop(). Port 0 takes a free one."""

    def __init__(self, store: DemoStore, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self._httpd = make_server(host, port, store, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self.port = self._httpd.server_port
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-store", daemon=True)
        self._thread.start()
        logger.info("demo store serving on %s", self.url)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> StoreServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve a generated store until SIGTERM or Ctrl-C; prints its URL once it accepts connections."""
    parser = argparse.ArgumentParser(prog="python -m synthetic.server", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--products", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--model-shots",
        choices=MODEL_SHOTS,
        default="stylist",
        help="who dresses the model shots (house: plain garments)",
    )
    args = parser.parse_args(argv)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with StoreServer(
        DemoStore.generated(args.products, args.seed, model_shots=args.model_shots), args.host, args.port
    ) as server:
        print(f"demo store {server.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()


if __name__ == "__main__":
    main()

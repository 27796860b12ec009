"""Serves the shop on 127.0.0.1 on a free port (threaded WSGI) and prints
`ready PORT` once it listens."""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402


class Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


with make_server("127.0.0.1", 0, get_wsgi_application(), Threaded, Quiet) as server:
    print(f"ready {server.server_port}", flush=True)
    server.serve_forever()

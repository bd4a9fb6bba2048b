#!/usr/bin/python3
"""TEST FIXTURE: the demo upstream of a test cluster. Answers every method on every path with 200 and a
small JSON body naming itself, after reading the request body; HTTP/1.1 keep-alive, one thread per
connection. Usage: loomgate-demo-upstream.py ADDRESS PORT NAME"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "loomgate-demo-upstream"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"upstream": NAME, "method": self.command, "path": self.path}).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = answer

    def log_message(self, fmt, *args):
        pass  # one line per request would flood the journal under load


if __name__ == "__main__":
    address, port, NAME = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 512
    ThreadingHTTPServer((address, port), Handler).serve_forever()

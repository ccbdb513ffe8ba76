"""Real servers for tests of several workers and hosts: gunicorn instances and an nginx in front."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BROWSER = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None, timeout=10):
    """(status, text, headers) of a GET; errors are answers too."""
    request = urllib.request.Request(url, headers={"User-Agent": BROWSER, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def post_objection(host_url, code, text="学习积分与实际不符，请核实。"):
    """A visitor's objection to CODE through the public form at HOST_URL: the answer's status."""
    body = urllib.parse.urlencode({"text": text, "contact": ""}).encode()
    request = urllib.request.Request(f"{host_url}/Q/{code}/objection", data=body, headers={"User-Agent": "Mozilla/5.0"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def stop(process, sig=signal.SIGTERM, seconds=30):
    """Stop PROCESS gracefully with SIG; kill it if it has not ended within SECONDS."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def environment(database_url, instance, **extra):
    """The environment of a StarQR process (gunicorn, the CLI) on DATABASE_URL with INSTANCE as its folder,
    importing this checkout's starqr."""
    return dict(
        os.environ,
        PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
        STARQR_DATABASE_URL=database_url,
        STARQR_INSTANCE_PATH=str(instance),
        STARQR_SECRET_KEY="test-secret",
        **extra,
    )


def gunicorn_command(app, port, workers, *options):
    """gunicorn serving APP with WORKERS sync workers on 127.0.0.1:PORT, warnings only, with OPTIONS."""
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", *options]
    return command + ["--log-level", "warning", app]


class Gunicorn:
    """One app instance ("host"): gunicorn with WORKERS sync workers on its own port."""

    def __init__(self, database_url, instance, workers=2, max_requests=0, env=None):
        self.port = free_port()
        os.makedirs(instance, exist_ok=True)
        env = environment(database_url, instance, **(env or {}))
        options = ["--graceful-timeout", "10"] + (["--max-requests", str(max_requests)] if max_requests else [])
        command = gunicorn_command("starqr.wsgi:app", self.port, workers, *options)
        self.log = open(os.path.join(instance, f"gunicorn-{self.port}.log"), "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(self.url + "/Q/", 60)

    def stop(self):
        """Graceful stop (SIGTERM): workers finish their requests and run their exit hooks."""
        stop(self.process)
        self.log.close()


NGINX_CONF = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log error;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    upstream starqr {{ {servers} keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://starqr;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""


def run_nginx(folder, conf, error_log):
    """nginx in the foreground, FOLDER its prefix, CONF its configuration, its start-up errors to ERROR_LOG."""
    return subprocess.Popen(
        ["nginx", "-p", folder, "-c", conf, "-e", error_log, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Nginx:
    """nginx in front of several instances (round robin), like deploy/nginx.conf's upstream."""

    def __init__(self, folder, ports, template=NGINX_CONF, **extra):
        self.port = free_port()
        folder = str(folder)
        os.makedirs(folder, exist_ok=True)
        servers = " ".join(f"server 127.0.0.1:{p};" for p in ports)
        conf = os.path.join(folder, "nginx.conf")
        with open(conf, "w") as handle:
            handle.write(template.format(folder=folder, port=self.port, servers=servers, **extra))
        self.process = run_nginx(folder, conf, os.path.join(folder, "e.log"))
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(self.url + "/Q/", 20)

    def stop(self):
        stop(self.process, signal.SIGQUIT, 10)

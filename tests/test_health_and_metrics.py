"""/healthz for load balancers, /metrics for Prometheus (local only), JSON logs in production."""

import json
import logging

from starqr import monitoring


def test_healthz_reports_database_queue_and_scheduler(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] in ("ok", "degraded")
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is True
    assert "scheduler" in body["checks"] and "state" in body["checks"]["scheduler"]
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_fails_when_the_database_is_down(client, monkeypatch):
    from starqr.views import health

    def down():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "_database", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == {
        "ok": False,
        "error": "OSError",
        "ms": response.get_json()["checks"]["database"]["ms"],
    }


def test_metrics_count_requests_and_are_local_only(client):
    client.get("/Q/NOSUCHCODE1")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'starqr_http_requests_total{endpoint="public.scan",method="GET",status="404"}' in text
    assert "starqr_http_request_seconds_bucket" in text
    for name in ("starqr_page_cache_total", "starqr_jobs_total", "starqr_publications_total"):
        assert f"# TYPE {name} counter" in text
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_json_log_lines(monkeypatch, capsys):
    record = logging.LogRecord("starqr.test", logging.WARNING, __file__, 1, "扫码 %s", ("ok",), None)
    line = monitoring.JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "warning" and entry["message"] == "扫码 ok" and entry["logger"] == "starqr.test"
    monkeypatch.setenv("STARQR_LOG_FORMAT", "json")
    assert monitoring.json_logs_wanted({"ENV_NAME": "development"})
    monkeypatch.delenv("STARQR_LOG_FORMAT")
    assert monitoring.json_logs_wanted({"ENV_NAME": "production"})
    assert not monitoring.json_logs_wanted({"ENV_NAME": "development"})


def test_page_store_hits_and_misses_are_counted(client):
    from prometheus_client import REGISTRY
    from tests.helpers import issue_code, make_member, make_tree

    code = issue_code(make_member(make_tree()["branch"], "王芳")).code

    def count(result):
        return REGISTRY.get_sample_value("starqr_page_cache_total", {"result": result}) or 0

    hits, misses = count("hit"), count("miss")
    client.get(f"/Q/{code}")
    client.get(f"/Q/{code}")
    assert count("miss") >= misses + 1 and count("hit") >= hits + 1

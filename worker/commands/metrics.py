"""``khabar metrics``: the pipeline's Prometheus endpoint (worker/metrics.py)."""

from __future__ import annotations

import time

import click


@click.command("metrics")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all)."
)
@click.option("--port", default=9108, show_default=True, type=int)
def metrics(host: str, port: int) -> None:
    """Serve pipeline metrics for Prometheus at http://HOST:PORT/metrics.

    Read from the database and the broker at each scrape: khabar_articles{status},
    khabar_open_failures{stage}, khabar_queue_messages{queue},
    khabar_oldest_in_flight_age_seconds, and khabar_database_up / khabar_broker_up (0 while that
    service does not answer; the endpoint keeps serving). Celery's task metrics come from
    Flower's /metrics. One instance is enough however many workers run.
    """
    from prometheus_client import CollectorRegistry, start_http_server

    from worker.metrics import PipelineCollector

    registry = CollectorRegistry()
    registry.register(PipelineCollector())
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    click.echo(f"serving metrics on http://{host}:{port}/metrics", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass

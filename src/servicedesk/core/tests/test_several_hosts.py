"""Several hosts sharing one PostgreSQL, as docs/deploy.md lays them out: a database host, two web
hosts (each with a scheduler, and psycopg's pool), a worker host with two workers and a third
scheduler. Each host is a network namespace; the test's own address outside them is the mail
server and the webhook receiver. It counts what arrived against what was filed."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from servicedesk.core.tests.conftest import MigratedCluster
from servicedesk.core.tests.fleet import (
    BROADCAST,
    SEED,
    SERVICEDESK,
    Desk,
    Fleet,
    Sink,
    WebhookReceiver,
    app_environment,
    lost_at_the_kill,
    outbox_pending,
    shell,
    wait_for,
)
from servicedesk.core.tests.network import Network

WEB_HOSTS = ("web1", "web2")
PERIODIC_HOURLY = "servicedesk.core.tasks.prune_rate_counters"
PERIODIC_EACH_MINUTE = "servicedesk.sla.tasks.sweep_clocks"


def _gunicorn(address: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "servicedesk.config.wsgi",
        "--config",
        "python:servicedesk.config.gunicorn",
        "--bind",
        f"{address}:8000",
        "--workers",
        "2",
    ]


def _worker(worker_id: str) -> list[str]:
    both = ["--queue-name", "default,mail", "--no-startup-delay"]
    return [SERVICEDESK, "worker", *both, "--worker-id", worker_id]


def test_two_web_hosts_two_workers_three_schedulers_share_one_database(
    owned_cluster: MigratedCluster, logs: Path, tmp_path: Path
) -> None:
    cluster = owned_cluster.cluster
    with Network(["db", *WEB_HOSTS, "work"]) as net:
        cluster.move(host=net.addresses["db"], netns=net.names["db"])
        try:
            _run_the_desk(owned_cluster, net, logs, tmp_path)
        finally:
            cluster.move(host="127.0.0.1", netns="")


def _run_the_desk(owned: MigratedCluster, net: Network, logs: Path, tmp_path: Path) -> None:
    database = owned.fresh_database()
    name = database.rsplit("/", 1)[1]
    fleet = Fleet(logs)
    with Sink(host=net.outside, delay=0.01) as sink, WebhookReceiver(host=net.outside) as hooks:

        def env_of(host: str) -> dict[str, str]:
            return app_environment(
                database,
                tmp_path / host,
                sink,
                ALLOWED_HOSTS=",".join(net.addresses.values()),
                FLEET_WEBHOOK_URL=hooks.url,
                SERVICEDESK_DB_POOL_SIZE="4" if host in WEB_HOSTS else "0",
            )

        try:
            token = fleet.run(shell(SEED), env_of("web1"), net.names["web1"]).split()[-1]
            started = time.monotonic()
            for host in WEB_HOSTS:
                env, netns = env_of(host), net.names[host]
                fleet.start(host, _gunicorn(net.addresses[host]), env, netns)
                fleet.start(f"scheduler-{host}", [SERVICEDESK, "scheduler"], env, netns)
            for worker_id in ("w1", "w2"):
                fleet.start(worker_id, _worker(worker_id), env_of("work"), net.names["work"])
            fleet.start(
                "scheduler-work", [SERVICEDESK, "scheduler"], env_of("work"), net.names["work"]
            )
            desks = [Desk(f"http://{net.addresses[host]}:8000", token) for host in WEB_HOSTS]
            for desk in desks:
                wait_for(f"the web server at {desk.base}", desk.up, 90)

            filed = [
                desks[index % 2].file(f"Laptop {index} will not boot")[0] for index in range(20)
            ]
            assert len(set(filed)) == 20
            wait_for("20 acknowledgements", lambda: sink.count() >= 20, 60)
            wait_for("20 webhook deliveries", lambda: len(hooks.deliveries) >= 20, 60)

            fleet.run(
                shell(BROADCAST.format(count=200, key="hosts")), env_of("web2"), net.names["web2"]
            )
            wait_for("the broadcast under way", lambda: sink.count() >= 60, 60)
            running = owned.cluster.psql(
                "SELECT worker_ids->>-1 FROM django_tasks_database_dbtaskresult "
                "WHERE status = 'RUNNING' AND task_path LIKE '%deliver_outbox'",
                name,
            ).split()
            victim = running[0]
            fleet.processes[victim].send_signal(signal.SIGKILL)
            killed_at, killed_wall, by_then = time.monotonic(), time.time(), sink.count()
            try:
                wait_for(
                    "the rest of the broadcast",
                    lambda: outbox_pending(owned.cluster, name) == 0,
                    90,
                    every=0.5,
                )
            except AssertionError as stuck:
                outbox = "SELECT state, count(*) FROM notifications_outboundemail GROUP BY 1"
                tasks = (
                    "SELECT task_path, status, worker_ids FROM django_tasks_database_dbtaskresult"
                )
                raise AssertionError(
                    f"{stuck}: {sink.count()} arrived; {owned.cluster.psql(outbox, name)}; "
                    f"{owned.cluster.psql(tasks, name)}; {fleet.log('w1')[-2000:]}"
                    f"{fleet.log('w2')[-2000:]}"
                ) from stuck
            finished = time.monotonic() - killed_at
            time.sleep(2)  # the last message, and anything sent twice, would arrive now
            ran_for = time.monotonic() - started
        finally:
            fleet.stop_all()

        mail_copies = sink.copies_of_each()
        lost = lost_at_the_kill(sink, owned.cluster, name, killed_wall)
        hook_copies = {delivery: hooks.deliveries.count(delivery) for delivery in hooks.deliveries}
    print(
        f"\nseveral hosts: 20 tickets on 2 web hosts; 220 mails and 20 webhooks each once; "
        f"{victim} killed after {by_then} mails, the rest sent {finished:.1f} s later; "
        f"lost in the instant of the kill: {len(lost)}"
    )
    assert len(mail_copies) + len(lost) == 220 and set(mail_copies.values()) == {1}
    assert len(hook_copies) == 20 and set(hook_copies.values()) == {1}

    def count(sql: str) -> int:
        return int(owned.cluster.psql(sql, name))

    assert count("SELECT count(*) FROM tickets_ticket") == 20
    assert count("SELECT count(*) FROM notifications_outboundemail WHERE state = 'sent'") == 220
    # Three schedulers ran, yet each periodic job was enqueued once per interval: as many tasks
    # as slots taken, and no more slots than intervals begun while they ran.
    for job, seconds in ((PERIODIC_HOURLY, 3600), (PERIODIC_EACH_MINUTE, 60)):
        enqueued = count(
            f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = '{job}'"
        )
        taken = count(f"SELECT count(*) FROM core_periodicslot WHERE job = '{job}'")
        assert 1 <= enqueued == taken <= int(ran_for // seconds) + 2

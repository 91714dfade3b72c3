"""The dramatiq broker: in-process (stub) by default, Redis or RabbitMQ in production.

``ARBRIDGE_BROKER_URL``: ``stub`` (default), ``redis://host:6379/0`` or
``amqp://user:password@host:5672/``. The URL's password is never logged.
``ARBRIDGE_QUEUE_PREFIX`` puts every queue under a prefix (one environment, or one test run,
per prefix on a shared Redis or RabbitMQ). ``ARBRIDGE_BROKER_HEARTBEAT_SECONDS`` (Redis):
how long a worker may stay silent before its unacknowledged messages go back to the queue
(dramatiq's default is a minute; RabbitMQ returns them as soon as the connection drops).
"""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.stub import StubBroker

from config.errors import ConfigError

BROKER_ENV = "ARBRIDGE_BROKER_URL"
PREFIX_ENV = "ARBRIDGE_QUEUE_PREFIX"
HEARTBEAT_ENV = "ARBRIDGE_BROKER_HEARTBEAT_SECONDS"
NAMESPACE = "arbridge"


def make_broker(url: str | None = None) -> dramatiq.Broker:
    url = url or os.environ.get(BROKER_ENV, "stub")
    if url == "stub":
        return StubBroker()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker

        heartbeat = os.environ.get(HEARTBEAT_ENV)
        extra = {}
        if heartbeat:  # a short heartbeat only pays off if dead workers are looked for often
            extra = {"heartbeat_timeout": int(float(heartbeat) * 1000),
                     "maintenance_chance": MAINTENANCE_SCALE // 10}
        return RedisBroker(url=url, namespace=NAMESPACE, **extra)
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    raise ConfigError(f"{BROKER_ENV} must be 'stub', a redis:// or an amqp:// URL")


def queue_prefix() -> str:
    return os.environ.get(PREFIX_ENV, "")


def use_broker(broker: dramatiq.Broker, *, record: bool = True) -> dramatiq.Broker:
    """Make ``broker`` the global one and move the declared actors onto it (under the queue
    prefix); with ``record``, every job run is written to the store (``arbridge jobs list``)
    and counted in the metrics."""
    from workers import actors
    from workers.job_records import JobRecorder

    if record and not any(isinstance(m, JobRecorder) for m in broker.middleware):
        from dramatiq.middleware import Retries

        # "after" hooks run in reverse order: placed before Retries, the recorder sees
        # whether Retries gave up on a message.
        broker.add_middleware(JobRecorder(), before=Retries)
    dramatiq.set_broker(broker)
    prefix = queue_prefix()
    for actor in actors.ACTORS:
        actor.queue_name = prefix + actors.QUEUES[actor.actor_name]
        actor.broker = broker
        broker.declare_actor(actor)
    return broker


def queue_names() -> dict[str, str]:
    """Kind of work → queue name under the prefix (``sap``, ``browser``)."""
    from workers import actors

    prefix = queue_prefix()
    return {name: prefix + name for name in sorted(set(actors.QUEUES.values()))}

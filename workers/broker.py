"""The dramatiq broker: in-process (stub) by default, Redis or RabbitMQ in production.

``ARBRIDGE_BROKER_URL``: ``stub`` (default), ``redis://host:6379/0`` or
``amqp://user:password@host:5672/``. The URL's password is never logged.
"""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.stub import StubBroker

from config.errors import ConfigError

BROKER_ENV = "ARBRIDGE_BROKER_URL"
NAMESPACE = "arbridge"


def make_broker(url: str | None = None) -> dramatiq.Broker:
    url = url or os.environ.get(BROKER_ENV, "stub")
    if url == "stub":
        return StubBroker()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url, namespace=NAMESPACE)
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    raise ConfigError(f"{BROKER_ENV} must be 'stub', a redis:// or an amqp:// URL")


def use_broker(broker: dramatiq.Broker) -> dramatiq.Broker:
    """Make ``broker`` the global one and move the declared actors onto it."""
    from workers import actors

    dramatiq.set_broker(broker)
    for actor in actors.ACTORS:
        actor.broker = broker
        broker.declare_actor(actor)
    return broker

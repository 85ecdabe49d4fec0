"""RPC helpers: a single-active-consumer entrypoint and timed calls.

A serialized authority runs several instances, but only one may take
requests at a time: its RPC queue has the single-active-consumer flag,
so RabbitMQ hands every request to one consumer and moves to a standby
the moment that consumer goes away.
Stock nameko declares `rpc-<service>` with no arguments, and RabbitMQ
rejects a later declaration that differs from the existing queue, so the
arguments must be set where the queue is declared.
"""
import eventlet
from amqp.exceptions import PreconditionFailed
from kombu import Connection, Queue
from nameko.rpc import (
    RPC_QUEUE_TEMPLATE, Rpc, RpcConsumer, RpcProxy, get_rpc_exchange,
)

# A durable classic queue on one broker node. In a RabbitMQ cluster set
# RPC_QUEUE_TYPE=quorum so the queue survives the loss of a node; a
# quorum queue costs about a quarter of the calls per second here.
DEFAULT_QUEUE_TYPE = "classic"


def queue_arguments(config):
    return {"x-queue-type": config.get("RPC_QUEUE_TYPE", DEFAULT_QUEUE_TYPE),
            "x-single-active-consumer": True}


class QueueMismatch(RuntimeError):
    """The RPC queue exists with arguments other than the ones required."""


class SingleActiveRpcConsumer(RpcConsumer):
    def setup(self):
        if self.queue is None:
            service_name = self.container.service_name
            self.queue = Queue(
                RPC_QUEUE_TEMPLATE.format(service_name),
                exchange=get_rpc_exchange(self.container.config),
                routing_key=f"{service_name}.*",
                durable=True,
                queue_arguments=queue_arguments(self.container.config),
            )
            self.declare_or_fail()
            self.queue_consumer.register_provider(self)
            self._registered = True

    def declare_or_fail(self):
        """Declare the queue once now, so a mismatch stops the service.

        nameko's consumer would otherwise retry the failing declaration
        every second for ever while the service looks alive.
        """
        with Connection(self.container.config["AMQP_URI"]) as connection:
            try:
                self.queue.bind(connection.default_channel).declare()
            except PreconditionFailed as error:
                raise QueueMismatch(
                    f"queue {self.queue.name} exists with other arguments "
                    f"({error}); it must be a {self.queue.queue_arguments} "
                    f"queue: drain and delete the old queue, then start the "
                    f"service again") from None


class SingleActiveRpc(Rpc):
    rpc_consumer = SingleActiveRpcConsumer()


single_active_rpc = SingleActiveRpc.decorator


class RpcTimeout(Exception):
    """A called service did not reply in time."""


class TimedRpcProxy(RpcProxy):
    """An RpcProxy whose calls give up after RPC_TIMEOUT seconds.

    nameko's in-service proxy waits for ever; a caller must not hang
    because another service is down. A timed-out call may still run
    later, so only idempotent calls (with a request id) go through here.
    """

    def get_dependency(self, worker_ctx):
        proxy = super().get_dependency(worker_ctx)
        timeout = self.container.config.get("RPC_TIMEOUT", 30)
        return _TimedServiceProxy(proxy, self.target_service, timeout)


class _TimedServiceProxy:
    def __init__(self, proxy, service, timeout):
        self._proxy = proxy
        self._service = service
        self._timeout = timeout

    def __getattr__(self, method):
        remote = getattr(self._proxy, method)

        def call(*args, **kwargs):
            reply = remote.call_async(*args, **kwargs)
            try:
                with eventlet.Timeout(self._timeout):
                    return reply.result()
            except eventlet.Timeout:
                raise RpcTimeout(
                    f"{self._service}.{method} gave no reply within "
                    f"{self._timeout} s; the service may be down"
                ) from None

        return call

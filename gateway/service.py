"""The gateway: HTTP entrypoints for the JSON API and the Vietnamese pages.

It owns users and login sessions in its own database and calls the other
services through in-service RPC proxies (one reply queue per worker
container, never a standalone proxy per request).
"""
from gateway.api import ApiEndpoints
from gateway.decision_pages import DecisionPages
from gateway.pages import PageEndpoints
from gateway.register_pages import RegisterPages
from gateway.registers_api import RegisterApi
from gateway.web import Plumbing, RequestOnce
from services.common.db import Database
from services.common.rpc import TimedRpcProxy


class GatewayService(Plumbing, RequestOnce, ApiEndpoints, RegisterApi,
                     PageEndpoints, DecisionPages, RegisterPages):
    name = "gateway"

    db = Database("gateway")
    decisions = TimedRpcProxy("decisions")
    numbering = TimedRpcProxy("numbering")
    registers = TimedRpcProxy("registers")

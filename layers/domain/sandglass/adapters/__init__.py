"""Adapters: the world outside the table behind the ports (sandglass.ports): payment providers
(`paddle`, `local_billing`) and notifiers (`notifications`). The composition root picks them."""

"""Ports: what the domain needs from the world outside the table, as protocols.

- `notifier`: sending a notification (an email in AWS, the local outbox in development);
- `payments`: a payment provider (Paddle, or the local one in development);
- `webhooks`: the delivery queue, the HTTP deliverer and name resolution (with the target rules).

Their adapters live in `sandglass.adapters`; the composition root (`sandglass.composition`) picks
one per configuration and hands it to the services.
"""

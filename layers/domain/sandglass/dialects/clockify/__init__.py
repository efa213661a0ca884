"""The Clockify API v1 dialect, served under ``/api/v1/...`` (docs/clockify.md).

One module per concern, one per entity:

- ``wire``      — whole-second UTC times out, any ISO-8601 in; ISO-8601 durations without days;
                  lenient scalars (``true|false|1|0`` booleans, repeated or comma-joined arrays,
                  explicit ``null`` ids) and the 24-hex id types;
- ``errors``    — ``{"message", "code"}`` bodies (401: ``{"description", "code": 1000}``) and the
                  mapping from domain errors;
- ``paging``    — ``page`` / ``page-size`` (1-based, bare arrays, a page past the end is ``[]``);
- ``resolver``  — ``create_app()``: the route groups' powertools resolver for this surface (path
                  normalisation, leniency, the error handlers);
- ``tenant``    — the workspace (from the path, resolved by the authorizer) and user ids (a person's
                  24-hex id is the same in every workspace);
- ``models``    — ``ClockifyModel``, the base of every request and response model;
- one module per entity (``workspaces``, ``users``, ``projects``, ``time_entries``; ``tags``,
  ``clients``, ``tasks`` next to them): its request/response models and its mappings, nothing
  else: ``to_clockify(<entity>, ...)`` from the typed entity (``sandglass.entities``: Organization,
  Member, Project, Activity with its RateSnapshot, Tag, Client, Task, Webhook, Change), and
  ``create_request`` / ``update_request`` from a Clockify body to the service's typed request
  (the request models of ``sandglass.models``, whose refusal ``models.parsed`` turns into
  Clockify's 400). No mapping reads a Sandtime response model or view.

Adding an entity: write ``dialects/clockify/<entity>.py`` (models + mappings, following
``projects.py``), add its routes to a ``functions/clockify_<group>/app.py`` built with
``create_app()``, list its operations in ``tests/contract/clockify_operations.py``.
"""

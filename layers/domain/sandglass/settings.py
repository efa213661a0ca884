"""Runtime settings, read from the environment (the template sets them per function).

The one module that reads the environment: everything else gets its configuration from here
(`get_settings()`, cached until `reset_settings()`; `notifier_settings()`, read at each use).
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from msgspec import Struct, field


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


class Settings(Struct, frozen=True):
    table_name: str
    dynamodb_endpoint: str | None = None
    jwt_secret_value: str | None = None
    jwt_secret_parameter: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwks_url: str | None = None
    cursor_secret_value: str | None = None
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    dev_mode: bool = False
    # billing: which payment provider, the product catalog, Paddle credentials
    billing_provider: str = "local"
    billing_products: str = ""
    billing_local_base_url: str = "http://127.0.0.1:3000/api"
    paddle_api_key_value: str | None = None
    paddle_api_key_parameter: str | None = None
    paddle_vendor_id: str | None = None
    paddle_environment: str = "sandbox"
    # workflow requests: where resolved impersonation requests' one-time sign-in tokens go
    support_email: str | None = None
    # webhooks: the local stack delivers to loopback (http://127.0.0.1) receivers; never set in AWS
    webhook_allow_loopback: bool = False
    # the parent domain whose subdomains name organizations (acme.<base>), if any
    base_domain: str = ""
    # where a deleted organization's admin is sent (DELETE /organization's redirectUrl)
    offboarding_url: str | None = None
    # the API Gateway usage plan each new organization's throttle key joins (empty: no keys, as locally)
    throttle_usage_plan_id: str | None = None
    # observability (powertools' own variables)
    service_name: str = "sandglass"
    metrics_namespace: str = "Sandglass"
    tracing_enabled: bool = False

    @property
    def jwt_secret(self) -> str | None:
        """HS256 secret: the env value, or the SSM SecureString named by JWT_SECRET_PARAMETER."""
        return _secret(self.jwt_secret_value, self.jwt_secret_parameter)

    @property
    def cursor_secret(self) -> bytes:
        secret = self.cursor_secret_value or self.jwt_secret or ""
        if not secret:
            raise RuntimeError("CURSOR_SECRET (or a JWT secret) must be configured to sign cursors")
        return secret.encode()

    @property
    def paddle_api_key(self) -> str | None:
        """Paddle API key: the env value, or the SSM SecureString named by PADDLE_API_KEY_PARAMETER."""
        return _secret(self.paddle_api_key_value, self.paddle_api_key_parameter)


# How long a container trusts its copy of the SSM secret: a rotation is picked up within this.
SECRET_MAX_AGE_SECONDS = 300


def _secret(value: str | None, parameter: str | None) -> str | None:
    """A secret given in the environment itself (`value`), or else read from the SSM SecureString
    named by `parameter`; None when neither is configured."""
    if value:
        return value
    if parameter:
        return _ssm_secret(parameter)
    return None


def _ssm_secret(name: str) -> str:
    """The SecureString, cached by powertools' parameter provider for SECRET_MAX_AGE_SECONDS
    (no lru_cache on top: that would pin the first value for the container's life)."""
    from aws_lambda_powertools.utilities.parameters import get_parameter

    return get_parameter(name, decrypt=True, max_age=SECRET_MAX_AGE_SECONDS)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("TABLE_NAME", "sandglass"),
        dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
        jwt_secret_value=env.get("JWT_SECRET") or None,
        jwt_secret_parameter=env.get("JWT_SECRET_PARAMETER") or None,
        jwt_issuer=env.get("JWT_ISSUER") or None,
        jwt_audience=env.get("JWT_AUDIENCE") or None,
        jwks_url=env.get("JWKS_URL") or None,
        cursor_secret_value=env.get("CURSOR_SECRET") or None,
        cors_origins=_csv(env.get("CORS_ORIGINS")),
        dev_mode=env.get("SANDGLASS_DEV", "") == "1",
        billing_provider=(env.get("BILLING_PROVIDER") or "local").strip().lower(),
        billing_products=env.get("BILLING_PRODUCTS", ""),
        billing_local_base_url=(env.get("BILLING_LOCAL_BASE_URL") or "http://127.0.0.1:3000/api").rstrip("/"),
        paddle_api_key_value=env.get("PADDLE_API_KEY") or None,
        paddle_api_key_parameter=env.get("PADDLE_API_KEY_PARAMETER") or None,
        paddle_vendor_id=env.get("PADDLE_VENDOR_ID") or None,
        paddle_environment=(env.get("PADDLE_ENVIRONMENT") or "sandbox").strip().lower(),
        support_email=(env.get("SUPPORT_EMAIL") or "").strip() or None,
        webhook_allow_loopback=env.get("WEBHOOK_ALLOW_LOOPBACK", "") == "1",
        base_domain=(env.get("BASE_DOMAIN") or "").strip().lower(),
        offboarding_url=env.get("OFFBOARDING_URL") or None,
        throttle_usage_plan_id=env.get("THROTTLE_USAGE_PLAN_ID") or None,
        service_name=env.get("POWERTOOLS_SERVICE_NAME") or "sandglass",
        metrics_namespace=env.get("POWERTOOLS_METRICS_NAMESPACE") or "Sandglass",
        tracing_enabled=env.get("POWERTOOLS_TRACE_DISABLED", "true").strip().lower() in {"false", "0", "no"},
    )


class NotifierSettings(Struct, frozen=True):
    kind: str = "log"  # NOTIFIER: ses | outbox | log
    outbox_path: str = ".local/outbox.jsonl"
    sender: str = ""
    template: str | None = None
    configuration_set: str | None = None


def notifier_settings() -> NotifierSettings:
    """The notifier's configuration, read at each use: the dev server and tests switch the
    notifier while functions stay warm."""
    env = os.environ
    return NotifierSettings(kind=env.get("NOTIFIER", "log"), outbox_path=env.get("OUTBOX_PATH") or ".local/outbox.jsonl",
                            sender=env.get("NOTIFICATION_SENDER") or "", template=env.get("NOTIFICATION_TEMPLATE") or None,
                            configuration_set=env.get("NOTIFICATION_CONFIGURATION_SET") or None)


def reset_settings() -> None:
    """Forget cached settings (tests and the dev server change the environment)."""
    get_settings.cache_clear()
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    if parameters is not None:  # never import it here (~90 ms): only clear what was used
        parameters.clear_caches()

"""A shop that caches product lookups in Redis (django-redis), counted by
django-prometheus. IGNORE_EXCEPTIONS: when Redis is down the shop falls back
to computing every answer, silently, as many production apps do."""

import os

SECRET_KEY = "cachectl-test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django_prometheus"]
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
ROOT_URLCONF = "shop.urls"
DATABASES = {}
USE_TZ = True
CACHES = {
    "default": {
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}
LOGGING = {"version": 1, "disable_existing_loggers": True}

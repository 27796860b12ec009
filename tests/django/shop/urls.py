from django.urls import include, path

from . import views

urlpatterns = [
    path("product/<int:pk>", views.product),
    path("health/ready", views.ready),
    path("", include("django_prometheus.urls")),
]

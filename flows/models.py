from django.conf import settings
from django.db import models
from django.urls import reverse

from credentials.connectors import DESTINATION, SOURCE, connector_choices, get_connector
from credentials.models import Credential


class EndpointQuerySet(models.QuerySet):
    def listing_for(self, user):
        """Return the user's endpoints with their credentials, leaving every key undecrypted."""
        return self.filter(owner=user).select_related("credential").defer("credential__api_key")


class Endpoint(models.Model):
    """Fields shared by data sources and destinations: a name, a connector and the credential used."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    connector = models.CharField(max_length=50, choices=connector_choices)
    # PROTECT: a credential cannot be deleted while something still authenticates with it.
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="%(class)ss")
    # Connector-specific settings, validated by the connector's configuration form.
    config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EndpointQuerySet.as_manager()

    role: str

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def connector_info(self):
        return get_connector(self.connector)

    def get_absolute_url(self) -> str:
        return reverse(f"{self.role}_detail", args=[self.pk])


class DataSource(Endpoint):
    role = SOURCE

    class Meta(Endpoint.Meta):
        verbose_name = "data source"


class DataDestination(Endpoint):
    role = DESTINATION

    class Meta(Endpoint.Meta):
        verbose_name = "data destination"


ENDPOINT_MODELS = {SOURCE: DataSource, DESTINATION: DataDestination}

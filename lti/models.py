"""LTI 1.3: the platforms Seminar is registered with, the tool's own keys, and what links a
platform's contexts, users and gradebook columns to Seminar's courses, people and
components (README, "Campus integration")."""

import secrets
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import Course


class Platform(models.Model):
    """One registration of Seminar with an LMS (an issuer and the client id it gave us)."""

    name = models.CharField(max_length=120, help_text='Shown to people, e.g. "UC Davis Canvas".')
    issuer = models.URLField(
        max_length=300, help_text="The platform's iss, e.g. https://canvas.instructure.com."
    )
    client_id = models.CharField(max_length=200, help_text="The client id the LMS gave Seminar.")
    auth_login_url = models.URLField(
        "authentication request URL",
        max_length=500,
        help_text="Where the OIDC login sends the browser (Canvas: …/api/lti/authorize_redirect).",
    )
    auth_token_url = models.URLField(
        "access token URL", max_length=500, help_text="OAuth 2 token endpoint for NRPS and AGS."
    )
    auth_audience = models.CharField(
        "token audience",
        max_length=500,
        blank=True,
        help_text="The aud of token requests when it is not the token URL (Canvas, Moodle: blank).",
    )
    key_set_url = models.URLField(
        "platform JWKS URL", max_length=500, help_text="Where the platform publishes its keys."
    )
    trust_email = models.BooleanField(
        "emails are verified",
        default=True,
        help_text="The platform's emails are the campus's verified addresses: a first launch "
        "may sign in the Seminar account with that email. Off: such a launch is refused.",
    )
    frame_origins = models.CharField(
        max_length=500,
        blank=True,
        help_text="The origins of the LMS pages that frame Seminar, space-separated, e.g. "
        "https://canvas.ucdavis.edu (Canvas's issuer is canvas.instructure.com, its pages "
        "are on your campus's host). Blank: the issuer's origin.",
    )
    key_set = models.JSONField(default=dict, blank=True, editable=False)
    key_set_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_unique")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        for origin in self.frame_origins.split():
            parts = urlsplit(origin)
            if parts.scheme not in ("https", "http") or not parts.netloc or parts.path.strip("/"):
                raise ValidationError(
                    {"frame_origins": f"{origin} is not an origin like https://canvas.example.edu."}
                )

    @property
    def origins(self) -> list[str]:
        """The only frame ancestors of this platform's launches: scheme://host[:port]."""
        found = [urlsplit(o) for o in self.frame_origins.split()] or [urlsplit(self.issuer)]
        return [f"{parts.scheme}://{parts.netloc}" for parts in found]


class Deployment(models.Model):
    """A deployment id of a platform: one placement of the tool (an account, a course)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="lti_deployment_unique"
            )
        ]

    def __str__(self):
        return f"{self.platform} / {self.deployment_id}"


class ToolKeyQuerySet(models.QuerySet):
    def published(self, now=None):
        """Keys the JWKS serves: the signing key, and retired ones whose tokens may still
        be alive (LTI_RETIRED_KEY_SECONDS after retirement)."""
        now = now or timezone.now()
        grace = timedelta(seconds=settings.LTI_RETIRED_KEY_SECONDS)
        return self.filter(Q(retired_at__isnull=True) | Q(retired_at__gt=now - grace))


class ToolKey(models.Model):
    """An RSA key Seminar signs with (token requests to platforms). The newest key that is
    not retired signs; ``rotate`` makes a new one and retires the others."""

    kid = models.CharField(max_length=64, unique=True, editable=False)
    private_key = models.TextField(editable=False)  # PEM
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ToolKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.kid

    @classmethod
    def generate(cls) -> "ToolKey":
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return cls.objects.create(kid=uuid.uuid4().hex, private_key=pem)

    @classmethod
    def signing(cls) -> "ToolKey":
        """The key to sign with now (made on first use). One query when it exists."""
        key = cls.objects.filter(retired_at__isnull=True).first()
        return key or cls.generate()

    @classmethod
    def rotate(cls) -> "ToolKey":
        """A new signing key; the old ones stay in the JWKS until their tokens expire."""
        cls.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
        return cls.generate()

    def public_jwk(self) -> dict:
        import json

        from cryptography.hazmat.primitives import serialization
        from jwt.algorithms import RSAAlgorithm

        private = serialization.load_pem_private_key(self.private_key.encode(), password=None)
        jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


def new_state() -> str:
    return secrets.token_urlsafe(32)


class LoginState(models.Model):
    """One OIDC login initiation: the state and nonce it sent to the platform. The launch
    that answers it must bring both back, once, within LTI_LOGIN_SECONDS."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=64, unique=True, default=new_state)
    nonce = models.CharField(max_length=64, unique=True, default=new_state)
    target_link_uri = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"login {self.pk} ({self.platform})"


class PlatformUser(models.Model):
    """A platform's user id (sub) for a Seminar user: launches match on it first."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="users")
    sub = models.CharField("platform user id", max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "sub"], name="lti_user_sub_unique"),
            models.UniqueConstraint(fields=["platform", "user"], name="lti_user_once_unique"),
        ]

    def __str__(self):
        return f"{self.sub} -> {self.user}"


class ContextLink(models.Model):
    """A platform's course (context) linked to a Seminar course, with the service URLs its
    launches announced (Names and Roles, Assignment and Grade Services)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="contexts")
    deployment = models.ForeignKey(Deployment, on_delete=models.PROTECT, related_name="+")
    context_id = models.CharField(max_length=255)
    context_title = models.CharField(max_length=255, blank=True)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lti_links")
    memberships_url = models.URLField("NRPS memberships URL", max_length=500, blank=True)
    lineitems_url = models.URLField("AGS line items URL", max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "context_id"], name="lti_context_unique")
        ]

    def __str__(self):
        return f"{self.context_title or self.context_id} -> {self.course.code}"


class LineItem(models.Model):
    """A gradebook column Seminar made in the platform: one per component, one for the
    final grade (``component`` empty)."""

    link = models.ForeignKey(ContextLink, on_delete=models.CASCADE, related_name="line_items")
    component = models.ForeignKey(
        "grading.GradeComponent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resource_id = models.CharField(max_length=100)  # "component-12", "final"
    url = models.URLField(max_length=500)
    label = models.CharField(max_length=255)
    score_maximum = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "resource_id"], name="lti_lineitem_unique")
        ]

    def __str__(self):
        return self.label


class ScorePost(models.Model):
    """The last score Seminar posted for one student in one line item: posting again only
    what changed keeps push_grades idempotent."""

    line_item = models.ForeignKey(LineItem, on_delete=models.CASCADE, related_name="scores")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score_given = models.DecimalField(max_digits=8, decimal_places=2)
    score_maximum = models.DecimalField(max_digits=8, decimal_places=2)
    activity_progress = models.CharField(max_length=20)
    grading_progress = models.CharField(max_length=20)
    posted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line_item", "user"], name="lti_score_unique")
        ]

    def __str__(self):
        return f"{self.user}: {self.score_given}/{self.score_maximum}"

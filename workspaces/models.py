import functools
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces import codes
from workspaces.currencies import is_valid_currency
from workspaces.discounts import DiscountType


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address (stored lower-cased, unique)."""

    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("May sign in to the back office (/admin/).")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(
        _("e-mail verified"),
        null=True,
        blank=True,
        help_text=_(
            "When the holder of the address opened the link sent to it. Needed to accept invitations."
        ),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_currency_code(value: str) -> None:
    if not is_valid_currency(value):
        raise ValidationError(_("Not an ISO 4217 currency code."), code="invalid_currency")


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(_("Not a known time zone."), code="invalid_time_zone")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ActorType(models.TextChoices):
    """Who created a document, as they were then: the owner, a staff member, or an API key."""

    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")
    API_KEY = "apiKey", _("API key")


class Workspace(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(
        _("currency"), max_length=3, default="SAR", validators=[validate_currency_code]
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Riyadh", validators=[validate_time_zone]
    )
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True, default="")
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True, default="")
    # The commercial registration number ZATCA's documents name the seller by (section 8b): 10 digits.
    cr_number = models.CharField(_("CR number"), max_length=10, blank=True, default="")
    suppliers_enabled = models.BooleanField(_("suppliers enabled"), default=True)
    allow_negative_stock = models.BooleanField(_("allow negative stock"), default=False)
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False)

    class ReceiptLanguage(models.TextChoices):
        ARABIC = "ar", _("Arabic")
        ENGLISH = "en", _("English")
        BOTH = "ar-en", _("Arabic and English")

    receipt_language = models.CharField(
        _("receipt language"), max_length=5, choices=ReceiptLanguage.choices, default=ReceiptLanguage.ARABIC
    )

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name


class Store(TimeStamped):
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=32, null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True, default="")
    # The Saudi national address ZATCA's documents carry (section 8b): {"street", "buildingNumber", "district",
    # "city", "postalCode", "shortAddress"}, each a string ("" where unknown).
    national_address = models.JSONField(_("national address"), default=dict, blank=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "code"], condition=models.Q(code__isnull=False), name="store_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        """Memberships that grant access; an invitation grants nothing until accepted."""
        return self.filter(status=Membership.Status.ACTIVE)

    def invited(self) -> "MembershipQuerySet":
        return self.filter(status=Membership.Status.INVITED)


class Membership(TimeStamped):
    """A user's place in a workspace. `invited`: made by adding staff by an e-mail that already had an account; it
    grants nothing (no API, no admin, not counted as a workspace of the account) until its holder accepts it."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INVITED = "invited", _("Invited")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    store = models.ForeignKey(
        Store, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("store")
    )
    admin_access = models.BooleanField(_("admin access"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique")]

    def __str__(self) -> str:
        # The person by name (an invitation by its e-mail: the account's name is not the workspace's to show).
        who = self.user.email if self.status == self.Status.INVITED else (self.user.name or self.user.email)
        return f"{who} ({self.get_role_display()})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER and self.is_active

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def granted(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        if self.is_owner:
            return frozenset(codes.PERMISSION_CODES)
        return codes.expand(self.permissions or [])


class Client(TimeStamped):
    DiscountType = DiscountType  # the one discount type (workspaces.discounts)

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="clients")
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    tax_number = models.CharField(_("tax number"), max_length=32, blank=True, default="")
    # A business buyer's details on a standard (B2B) tax invoice (section 8c): {"street", "buildingNumber",
    # "district", "city", "postalCode", "countryCode"} ("" where unknown) and its commercial registration.
    address = models.JSONField(_("address"), default=dict, blank=True)
    cr_number = models.CharField(_("CR number"), max_length=10, blank=True, default="")
    pos_discount_type = models.CharField(
        _("POS discount type"), max_length=10, choices=DiscountType.choices, null=True, blank=True
    )
    pos_discount_value = models.DecimalField(
        _("POS discount value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    pos_discount_active = models.BooleanField(_("POS discount active"), default=False)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [models.Index(Lower("name"), "workspace", name="client_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_active_pos_discount(self) -> bool:
        return bool(
            self.pos_discount_active and self.pos_discount_type and self.pos_discount_value is not None
        )


API_KEY_PREFIX = "sk_"


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKey(models.Model):
    """A workspace key for integrations. Only its SHA-256 is stored; the key is shown once, at creation."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """A successful POST and its response, stored in the transaction of its work (PRODUCT.md section 2)."""

    principal = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2048)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.principal} {self.method} {self.path} ({self.key})"


class LoginFailure(models.Model):
    """One failed sign-in (`/v1/auth/token` or the admin's), counted per account and per client address by
    `workspaces.login_throttle`. Keys are SHA-256 digests: no address or e-mail is stored in clear. Rows live in the
    database every worker shares and are deleted once older than the window."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("Account")
        ADDRESS = "address", _("Client address")

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "key", "at"], name="login_failure_key_idx"),
            models.Index(fields=["at"], name="login_failure_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]} {self.at:%Y-%m-%d %H:%M:%S}"


class CreatedByActor(models.Model):
    """Who created a document, as they were then: a user (owner or staff) or an API key, and which kind. The rows
    outlive them (SET_NULL): a document keeps its kind and shows no name once the person or key is gone."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_type = models.CharField(max_length=10, choices=ActorType.choices)

    class Meta:
        abstract = True


from workspaces.tasks.models import Task  # noqa: E402,F401  the task queue (workspaces.tasks), seen by Django

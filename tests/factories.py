import factory

from workspaces.models import Client, Membership, Store, User, Workspace


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-42")

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    currency = "SAR"
    timezone = "Asia/Riyadh"


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Store {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.STAFF
    permissions = factory.LazyFunction(list)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Client {n}")


def owner_access(workspace):
    """The workspace owner's `Access`, for tests that call a write service directly (services check the acting
    principal themselves). A workspace without an owner gets one."""
    from workspaces.tenancy import Access

    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=workspace, role=Membership.Role.OWNER)
        .first()
    )
    if membership is None:
        membership = MembershipFactory(workspace=workspace, role=Membership.Role.OWNER)
    return Access(workspace=workspace, user=membership.user, membership=membership, api_key=None)

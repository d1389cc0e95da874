"""Routes of this feature (filled in by its issue)."""

urlpatterns: list = []

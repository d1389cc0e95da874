"""POS order statuses (PRODUCT.md section 5): a workspace's own kitchen states."""

from __future__ import annotations

from rest_framework import serializers

from workspaces.api.fields import (
    DateTimeField,
    IdField,
    OptionalCharField,
    StrictBooleanField,
    StrictCharField,
)
from workspaces.api.openapi import envelope_names


@envelope_names("orderStatus", "orderStatuses")
class OrderStatusOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    labelAr = serializers.CharField(source="label_ar")
    labelEn = OptionalCharField(source="label_en")
    color = OptionalCharField()
    position = serializers.IntegerField()
    isDefault = serializers.BooleanField(source="is_default")
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")


class OrderStatusInputSerializer(serializers.Serializer):
    labelAr = StrictCharField(max_length=100, source="label_ar")
    labelEn = StrictCharField(max_length=100, required=False, allow_blank=True, source="label_en")
    color = StrictCharField(max_length=20, required=False, allow_blank=True)
    position = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)
    isDefault = StrictBooleanField(required=False, source="is_default")

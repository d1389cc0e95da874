"""The OpenAPI schema, generated once per language and format and then served from memory.

Generating it cost 0.2-0.3 s per request, and it is public: anybody could keep a worker busy with it. The schema
only changes with a deployment, so each (language, format) is rendered once per process; the cache is bounded by
the product's languages and the view's four renderers (an unknown `lang` reads as the default language, and a
`version` parameter is not honoured: the product has one version).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView


class CachedSchemaView(SpectacularAPIView):
    _rendered: ClassVar[dict[tuple[str, str], tuple[bytes, str, str]]] = {}

    def _get_version_parameter(self, request) -> None:
        return None

    def _get_schema_response(self, request):
        languages = {code for code, _name in settings.LANGUAGES}
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in languages:
            language = settings.LANGUAGE_CODE
        renderer = request.accepted_renderer
        key = (language, renderer.media_type)
        cached = self._rendered.get(key)
        if cached is None:
            with translation.override(language):
                response = super()._get_schema_response(request)
                content = renderer.render(response.data, renderer.media_type, self.get_renderer_context())
            content_type = renderer.media_type
            if renderer.charset:
                content_type = f"{content_type}; charset={renderer.charset}"
            cached = (content, content_type, response["Content-Disposition"])
            self._rendered[key] = cached
        content, content_type, disposition = cached
        return HttpResponse(content, content_type=content_type, headers={"Content-Disposition": disposition})

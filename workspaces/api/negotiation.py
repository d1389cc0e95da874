from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class JsonByDefaultNegotiation(DefaultContentNegotiation):
    """A body without a Content-Type is read as JSON; an Accept we cannot meet still gets JSON."""

    def select_parser(self, request, parsers):
        if not request.content_type:
            for parser in parsers:
                if parser.media_type == "application/json":
                    return parser
        return super().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type

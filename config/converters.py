class IdConverter:
    """A record id in a path: 1 to 18 digits (fits a bigint); anything else does not match (404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)

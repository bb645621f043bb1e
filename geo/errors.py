"""The closed set of errors raised by the geo package, each carrying an Indonesian message."""

from __future__ import annotations


class GeoError(ValueError):
    """Base class: the message itself is Indonesian and safe to show to an operator."""

    @property
    def user_message(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidCoordinates(GeoError):
    """A latitude/longitude is NaN, infinite, out of range or not a number."""


class DataFileError(GeoError):
    """A bundled data file (data/*.geojson, data/*.csv) is missing or malformed."""


class FacilityDataError(GeoError):
    """A facility table (CSV or database rows) cannot be used."""


class UnknownFacilityKind(GeoError):
    """A facility kind outside FACILITY_KINDS was requested."""


class RoadGraphError(GeoError):
    """A local OpenStreetMap road file cannot be turned into a road graph."""


class LayerImportError(GeoError):
    """An uploaded layer file was refused; the message names the file and the reason."""

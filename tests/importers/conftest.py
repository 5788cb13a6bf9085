from tests.importers.room import room

__all__ = ["room"]

"""The keys group's HTTP routes, one ``APIRouter`` per resource (assembled by functions/keys)."""

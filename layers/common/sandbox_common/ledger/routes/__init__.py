"""The ledger's HTTP routes, one ``APIRouter`` per resource (assembled by functions/ledger)."""

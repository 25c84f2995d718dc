"""One APIRouter per sandbox resource; the environment function includes them."""

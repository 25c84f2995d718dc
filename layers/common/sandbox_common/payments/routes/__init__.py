"""One APIRouter per payment-server resource; the payments function includes them."""

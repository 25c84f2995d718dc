"""One APIRouter per messaging resource; a function's app includes the ones it serves."""

"""The bundled payment server: customers' credits, charged by the hourly job, granted by admins."""

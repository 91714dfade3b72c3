"""Page areas of the admin web app: one module (one router) per area."""

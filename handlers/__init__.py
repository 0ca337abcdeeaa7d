"""The web side: Flask app, channel webhooks and staff pages. Depends on bot/, never the reverse."""

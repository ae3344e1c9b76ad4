"""Plain HTTP around the Reflex app.

The file download route, the /_upload guard (size limit, no public folder under any backend
path), the Origin check and the security headers; hardening.py wires them to Reflex's config.
"""

"""The four web pages (console, field app, cath-lab wall screen, reports) and their static files.

Plain HTML, CSS and JavaScript modules served by the same server; no build step. See README.md
beside this file for the shared JavaScript modules.
"""

"""The classroom web app: pages through the WSGI client, a real browser, and `negotiate serve`."""

"""budgetsim's web page and JSON API (``budgetsim serve``; installed as ``budgetsim.web``).

The app (:func:`budgetsim.web.app.create_app`) answers with the command line's own JSON
documents, built by the same presenters (budgetsim.cli.present), so a request and the
matching ``budgetsim CMD FILE --set ... --format json`` give the same bytes. It keeps no
state between requests beyond caches of immutable values, so it scales out by running more
workers or more processes behind a proxy. Needs the ``web`` extra (FastAPI, uvicorn).
"""

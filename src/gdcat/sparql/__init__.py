"""Answering SPARQL queries for the public endpoint, within limits.

| module | what it holds |
|---|---|
| :mod:`~gdcat.sparql.execute` | one query run on a pyoxigraph store, natively serialised |
| :mod:`~gdcat.sparql.worker` | the query worker process (``python -m gdcat.sparql.worker``) |
| :mod:`~gdcat.sparql.pool` | worker processes; a query past its time limit kills its worker |
| :mod:`~gdcat.sparql.engine` | what the endpoint calls: limited queries, updates, allow-list |
| :mod:`~gdcat.sparql.limits` | the limits a query runs within, and the errors naming them |
| :mod:`~gdcat.sparql.shape` | a query text's length, nesting and tokens, checked first |
| :mod:`~gdcat.sparql.budget` | how many queries one client may have at once |
| :mod:`~gdcat.sparql.federation` | which endpoints ``SERVICE`` may call |
| :mod:`~gdcat.sparql.description` | the SPARQL 1.1 Service Description of the endpoint |

The worker imports only :mod:`~gdcat.sparql.execute` (pyoxigraph and the standard library), so
this package's ``__init__`` imports nothing.
"""

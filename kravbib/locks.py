"""Locks around the libraries that are not safe to use from several threads at once (the web app
serves requests on threads that share one compiled ruleset).

- PARSER_LOCK: rdflib's SPARQL parser (pyparsing). pyparsing finds out how many arguments a parse
  action takes by calling it and catching TypeError the first time it is used; two threads doing
  that at once can leave the action with the wrong count for good, after which every query using
  that part of the grammar is refused ("Param.postParse2() missing 1 required positional
  argument"). Concurrent parses also share the packrat cache. Hold it for parseQuery, parseUpdate
  and translateQuery.
- SHAPES_LOCK: pySHACL writes its system triples into the shapes graph it is given on every
  validate, and rdflib's in-memory store breaks (KeyError) when two threads write to it at once.
  Hold it for every pyshacl.validate over a shapes graph of the shared ruleset.

Parsing and validation are pure Python and hold the GIL anyway, so the locks cost no throughput.
"""

import threading

PARSER_LOCK = threading.RLock()
SHAPES_LOCK = threading.RLock()

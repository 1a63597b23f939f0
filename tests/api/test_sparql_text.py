"""What the endpoint reads from SPARQL text before running it: the endpoints ``SERVICE`` calls,
the query's own dataset, and the ``USING`` clauses of the protocol's update dataset."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from gdcat.errors import QueryError
from gdcat.sparql.federation import ServiceAllowList, ServiceNotAllowedError, endpoint_key
from gdcat.store.sparql_text import add_using, has_dataset_clause, service_calls, uses_service

NODE = "http://node.example:8080/sparql"


def endpoints(sparql: str) -> list[str | None]:
    return [call.iri for call in service_calls(sparql)]


def test_service_endpoints_are_read_as_pyoxigraph_reads_them() -> None:
    assert endpoints(f"SELECT * {{ SERVICE <{NODE}> {{ ?s ?p ?o }} }}") == [NODE]
    assert endpoints(f"SELECT * {{ SERVICE SILENT <{NODE}> {{ ?s ?p ?o }} }}") == [NODE]
    assert endpoints(f"SELECT * {{ sErViCe\n#c\n<{NODE}>{{ ?s ?p ?o }} }}") == [NODE]
    prefixed = "PREFIX n: <http://node.example:8080/> SELECT * { SERVICE n:sparql { ?s ?p ?o } }"
    assert endpoints(prefixed) == [NODE]
    # pyoxigraph resolves \\u escapes inside IRIs: so does the check.
    assert endpoints(r"SELECT * { SERVICE <http://node.example:8080/\u0073parql> {} }") == [NODE]


def test_a_service_endpoint_the_text_does_not_tell_is_unknown() -> None:
    assert endpoints("SELECT * { VALUES ?e { <http://a/> } SERVICE ?e { ?s ?p ?o } }") == [None]
    assert endpoints("BASE <http://evil/> SELECT * { SERVICE <sparql> { } }") == [None]
    assert endpoints("SELECT * { SERVICE undeclared:x { } }") == [None]
    assert endpoints("PREFIX e: <rel/> SELECT * { SERVICE e:x { } }") == [None]
    assert endpoints(r"PREFIX e: <http://e/> SELECT * { SERVICE e:a\.b { } }") == [None]


def test_service_is_found_wherever_pyoxigraph_would_run_it() -> None:
    # A comment ends at a lone carriage return, as pyoxigraph ends it.
    assert endpoints(f"SELECT * {{ # note\rSERVICE <{NODE}> {{ }} }}") == [NODE]
    # Inside strings, IRIs, variables and prefixed names it is no keyword.
    quiet = (
        'SELECT ?service { ?service <http://x/SERVICE> "SERVICE <http://e/> {}" . ex:service ?o }'
    )
    assert endpoints(quiet) == []
    assert not uses_service(quiet)
    # An escaped quote does not end a string early and hide what follows.
    tricky = r'SELECT * { FILTER(?x = "a\"") SERVICE <http://evil/> { } }'
    assert endpoints(tricky) == ["http://evil/"]


def test_the_allow_list_names_the_refused_host_and_accepts_listed_endpoints(tmp_path) -> None:
    registry = tmp_path / "nodes.toml"
    registry.write_text(
        f'[[node]]\nid = "es"\nkind = "sparql"\nurl = "{NODE}"\n'
        '[[node]]\nid = "nl"\nkind = "fdp"\nurl = "http://fdp.example/"\n'
    )
    allow = ServiceAllowList(registry, ["https://extra.example/query"])
    assert allow.endpoints() == {NODE, "https://extra.example/query"}
    allow.check("SELECT * { SERVICE <HTTP://Node.Example:8080/sparql> { ?s ?p ?o } }")
    allow.check("SELECT * { SERVICE <https://extra.example:443/query> { ?s ?p ?o } }")
    with pytest.raises(ServiceNotAllowedError) as refused:
        allow.check("SELECT * { SERVICE <http://fdp.example/> { ?s ?p ?o } }")
    assert refused.value.host == "fdp.example" and "fdp.example" in str(refused.value)
    with pytest.raises(ServiceNotAllowedError, match="full IRI"):
        allow.check("SELECT * { SERVICE ?x { ?s ?p ?o } }")
    # The registry is read again when it changes.
    registry.write_text('[[node]]\nid = "pt"\nkind = "sparql"\nurl = "http://pt.example/sparql"\n')
    assert "http://pt.example/sparql" in allow.endpoints() and NODE not in allow.endpoints()


def test_endpoints_compare_as_urls() -> None:
    assert endpoint_key("HTTPS://Host.Example:443/q?x=1#f") == "https://host.example/q?x=1"
    assert endpoint_key("http://host") == "http://host/"
    assert endpoint_key("http://user:pw@host/") is None
    assert endpoint_key("file:///etc/passwd") is None
    assert endpoint_key("http://host:notaport/") is None


def test_a_query_naming_its_dataset_is_seen() -> None:
    assert has_dataset_clause("SELECT * FROM <http://g/> { ?s ?p ?o }")
    assert has_dataset_clause("select * from named <http://g/> { graph ?g { ?s ?p ?o } }")
    assert not has_dataset_clause('SELECT * { ?s <http://x/from> "FROM" }')


def test_using_graphs_go_before_every_where_of_the_update() -> None:
    update = (
        "PREFIX ex: <http://ex/> INSERT DATA { GRAPH <http://g/> { ex:a ex:b 'WHERE' } } ;\n"
        "INSERT { GRAPH <http://t/> { ?s a ex:T } } WHERE { ?s ?p ?o { SELECT ?s WHERE { } } }"
    )
    rewritten = add_using(update, ["http://g/"], ["http://n/"])
    assert rewritten.count("USING <http://g/> USING NAMED <http://n/> WHERE") == 1
    store = ox.Store()
    store.update(rewritten)  # still SPARQL
    assert bool(store.query("ASK { GRAPH <http://t/> { <http://ex/a> a <http://ex/T> } }"))
    assert add_using(update, [], []) == update


def test_using_graphs_conflict_with_the_update_s_own_dataset() -> None:
    with pytest.raises(QueryError, match="USING or WITH"):
        add_using("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://a/"], [])
    with pytest.raises(QueryError, match="DELETE WHERE"):
        add_using("DELETE WHERE { ?s ?p ?o }", ["http://a/"], [])

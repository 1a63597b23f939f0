// The engine module rdf-test-suite requires as its first argument. Protocol and service
// description tests talk HTTP to the endpoint named with -i and never call the engine; any
// other test run with it fails loudly instead of passing by accident.
'use strict';

function unused() {
  throw new Error('this engine only serves SPARQL protocol and service-description tests');
}

module.exports = { parse: unused, query: unused, update: unused };

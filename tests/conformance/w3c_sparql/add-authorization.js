// Loaded with `node --require` before rdf-test-suite runs.
//
// rdf-test-suite sends a protocol test's requests with exactly the headers its manifest names;
// it has no option for more. gdcat accepts SPARQL Update only with the administrator's token,
// so this adds `Authorization: Bearer $GDCAT_SPARQL_TOKEN` to every request the runner sends
// to the origin of $GDCAT_SPARQL_ENDPOINT (and to nothing else). The server keeps checking the
// token: nothing is relaxed on its side for the test.
'use strict';

const token = process.env.GDCAT_SPARQL_TOKEN;
const endpoint = process.env.GDCAT_SPARQL_ENDPOINT;

if (token && endpoint) {
  const origin = new URL(endpoint).origin;
  const sendRequest = globalThis.fetch;
  globalThis.fetch = (input, init = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.origin !== origin) {
      return sendRequest(input, init);
    }
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : {}));
    headers.set('authorization', `Bearer ${token}`);
    return sendRequest(input, { ...init, headers });
  };
}

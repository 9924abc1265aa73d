// Package registry is Sabot's Confluent Schema Registry client.
//
// What lives here:
//   - schema.go: the contract types other packages use (Schema, Reference,
//     ResolvedSchema, Resolver, Registrar, ErrNotFound).
//   - client.go, api.go: [Client] and the REST API: subjects, versions,
//     register and lookup, schemas by id and GUID, deletes, compatibility,
//     config, mode, contexts, referenced-by.
//   - cache.go: the caches (by id forever and bounded, by subject and schema,
//     latest versions with a TTL) and the request sharing that makes
//     concurrent misses for one key one request.
//   - resolve.go: references resolved recursively, dependencies first, with
//     cycle detection, so a decoder gets a complete schema.
//   - transport.go, options.go, errors.go: retries with jittered backoff for
//     5xx, timeouts and connection errors (never 4xx); basic and bearer auth;
//     TLS; typed errors carrying the registry's error code, with sentinels
//     to branch on. Credentials never appear in errors.
//   - strategy.go: subject name strategies.
//
// Sub-packages: compat checks compatibility locally with no server (the rules
// Confluent's registry applies, for Avro, Protobuf and JSON Schema);
// memregistry is an in-process registry server that enforces them; wire
// reads and writes the Confluent wire format.
package registry

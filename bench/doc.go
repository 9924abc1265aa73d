// Package bench measures Sabot side by side with what Go programs use today.
// cmd/sabot-bench is its command-line front end.
//
// # Scenarios
//
// Each scenario kind runs on one Dataset (the same Transaction rows as Arrow
// batches and as encoded values, for one format and record size):
//
//   - produce: Arrow batches → encode → topic (engine.Records → kafka sink)
//   - consume: topic → decode → Arrow batches (kafka.Source.Poll)
//   - pipeline: topic → decode → filter + map → encode → topic
//     (engine.From(kafka source).Filter(...).Map(...).To(kafka sink))
//   - decode, encode: the codec alone, in memory, no broker
//
// and each kind has, next to Sabot, in the same run and on the same data:
//
//   - the ceiling: raw franz-go moving the same values with no codec
//   - the per-record path: a library decoding each value into a Go struct
//     (encoding/json, sonic, hamba/avro through franz-go's sr.Serde,
//     google.golang.org/protobuf dynamicpb, vmihailenco/msgpack, santhosh-
//     tekuri/jsonschema + encoding/json, arrow-go ipc), appending it to Arrow
//     builders or filtering, mapping and encoding it again one record at a
//     time
//   - confluent-kafka-go with its Schema Registry serdes (cgo builds, Avro
//     and JSON Schema), on request
//
// Within a group the implementations take turns rep by rep, so the noise of
// a shared machine spreads over all of them; the report gives medians,
// min–max spread and Sabot's ratio to every baseline of its group.
//
// # Module
//
// bench is a Go module of its own (bench/go.mod), as are cmd/sabot-bench and
// interop: the baselines' libraries (sonic, hamba/avro, confluent-kafka-go,
// ...) are required there and not by the library, so a program that uses
// Sabot does not inherit them. The go.work at the repository root puts the
// modules side by side for development. The dataset's rows come from the
// library module's internal/dataset, which the examples share.
//
// # Broker
//
// On the embedded broker the Kafka kinds run in synthetic mode by default:
// kfake serves every fetch from one canned record batch of the dataset
// (SyntheticFetch) and drops what is produced (BlackholeProduce), so the
// figures are the clients' and not the in-process broker's storage. Stored
// mode (and any real broker) fills a topic with the records first and reads
// it back. Process-wide counters (CPU, allocations, RSS) include the
// embedded broker when it runs in-process.
package bench

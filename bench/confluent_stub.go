//go:build !cgo

package bench

// confluentScenarios: confluent-kafka-go needs cgo (librdkafka); this build
// has none.
func confluentScenarios(kind string, g *groupData, _ *site, _ string, _ int) ([]*scenario, string) {
	return nil, kind + "/" + g.ds.Format + "/confluent: not measured: built without cgo"
}

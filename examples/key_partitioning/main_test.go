package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `sent 6 events to user-events (6 partitions)
user 123: partition 5 (murmur2 says 5), same partition for all: true, in order: login@0 purchase@1 logout@2
user 456: partition 2 (murmur2 says 2), same partition for all: true, in order: login@0 logout@1
user 789: partition 4 (murmur2 says 4), same partition for all: true, in order: view@0
`

func TestRunWithFlags(t *testing.T) {
	if got := exampletest.Run(t, run); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func Example() {
	ctx, cancel := exampletest.Context()
	defer cancel()
	if err := run(ctx, nil, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sent 6 events to user-events (6 partitions)
	// user 123: partition 5 (murmur2 says 5), same partition for all: true, in order: login@0 purchase@1 logout@2
	// user 456: partition 2 (murmur2 says 2), same partition for all: true, in order: login@0 logout@1
	// user 789: partition 4 (murmur2 says 4), same partition for all: true, in order: view@0
}

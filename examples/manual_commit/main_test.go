package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `processed event-0, committed offset 1
processed event-1, committed offset 2
processed event-2, committed offset 3
processed event-3, committed offset 4
the second consumer starts at offset 4: event-4
it processed the other 6 messages from offset 4; committed offset 10
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
	// processed event-0, committed offset 1
	// processed event-1, committed offset 2
	// processed event-2, committed offset 3
	// processed event-3, committed offset 4
	// the second consumer starts at offset 4: event-4
	// it processed the other 6 messages from offset 4; committed offset 10
}

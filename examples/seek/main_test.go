package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `start (earliest)               -> offset 0: event-0 at 12:00
SeekToEnd, one more sent       -> offset 10: event-10 at 12:10
Seek to offset 4               -> offset 4: event-4 at 12:04
SeekToTime 12:06:30            -> offset 7: event-7 at 12:07
SeekToBeginning                -> offset 0: event-0 at 12:00
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
	// start (earliest)               -> offset 0: event-0 at 12:00
	// SeekToEnd, one more sent       -> offset 10: event-10 at 12:10
	// Seek to offset 4               -> offset 4: event-4 at 12:04
	// SeekToTime 12:06:30            -> offset 7: event-7 at 12:07
	// SeekToBeginning                -> offset 0: event-0 at 12:00
}

package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `sent 2 messages to transactions
Received: {"user_id":"123","action":"purchase"}
Received: {"user_id":"456","action":"view"}
received 2 messages
`

func TestRunWithFlags(t *testing.T) {
	if got := exampletest.Run(t, run); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// Example runs on the embedded default (or the services the environment
// names).
func Example() {
	ctx, cancel := exampletest.Context()
	defer cancel()
	if err := run(ctx, nil, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sent 2 messages to transactions
	// Received: {"user_id":"123","action":"purchase"}
	// Received: {"user_id":"456","action":"view"}
	// received 2 messages
}

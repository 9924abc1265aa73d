package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `registered the schema under transactions-value
sent 3 transactions to transactions
offset 0: schema id matches the registered one: true, value {"id":"TX-1","amount":99.99,"timestamp":1704067200000}
offset 1: schema id matches the registered one: true, value {"id":"TX-2","amount":12.5,"timestamp":1704067201000}
offset 2: schema id matches the registered one: true, value {"id":"TX-3","amount":250,"timestamp":1704067202000}
wrote 3 transactions to processed-transactions
the sink registered processed-transactions-value version 1
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
	// registered the schema under transactions-value
	// sent 3 transactions to transactions
	// offset 0: schema id matches the registered one: true, value {"id":"TX-1","amount":99.99,"timestamp":1704067200000}
	// offset 1: schema id matches the registered one: true, value {"id":"TX-2","amount":12.5,"timestamp":1704067201000}
	// offset 2: schema id matches the registered one: true, value {"id":"TX-3","amount":250,"timestamp":1704067202000}
	// wrote 3 transactions to processed-transactions
	// the sink registered processed-transactions-value version 1
}

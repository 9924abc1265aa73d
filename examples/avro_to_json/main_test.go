package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `sent 3 Avro transactions to transactions-avro
converted 3 records
transactions-json offset 0: {"id":"TX-1","amount":99.99,"timestamp":1704067200000,"note":null}
transactions-json offset 1: {"id":"TX-2","amount":12.5,"timestamp":1704067201000,"note":"refund"}
transactions-json offset 2: {"id":"TX-3","amount":250.0,"timestamp":1704067202000,"note":null}
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
	// sent 3 Avro transactions to transactions-avro
	// converted 3 records
	// transactions-json offset 0: {"id":"TX-1","amount":99.99,"timestamp":1704067200000,"note":null}
	// transactions-json offset 1: {"id":"TX-2","amount":12.5,"timestamp":1704067201000,"note":"refund"}
	// transactions-json offset 2: {"id":"TX-3","amount":250.0,"timestamp":1704067202000,"note":null}
}

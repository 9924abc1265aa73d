package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
	"github.com/sabot-kafka/sabot/internal/dataset"
)

const want = `1000 transactions: MessagePack 84.0 bytes/value, JSON 112.9 bytes/value (74% of JSON)
read 1000 records from high-throughput, wrote 205 (the EUR payments) to msgpack-output
output records by batch compression: map[lz4:205]
first output row: {"id":"TX-000000000","user_id":"u-29884","amount":491.98,"large":false}
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
	// 1000 transactions: MessagePack 84.0 bytes/value, JSON 112.9 bytes/value (74% of JSON)
	// read 1000 records from high-throughput, wrote 205 (the EUR payments) to msgpack-output
	// output records by batch compression: map[lz4:205]
	// first output row: {"id":"TX-000000000","user_id":"u-29884","amount":491.98,"large":false}
}

// TestExpectedCount counts the EUR payments of the input with a plain loop:
// the number the golden output says the example writes.
func TestExpectedCount(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := dataset.Transactions(mem, records, 7, 100)
	defer rec.Release()
	currency := rec.Column(3).(*array.String)
	eur := 0
	for i := range currency.Len() {
		if currency.Value(i) == "EUR" {
			eur++
		}
	}
	if line := fmt.Sprintf("wrote %d (the EUR payments)", eur); !strings.Contains(want, line) {
		t.Errorf("the golden output does not say %q", line)
	}
	if line := fmt.Sprintf("map[lz4:%d]", eur); !strings.Contains(want, line) {
		t.Errorf("the golden output does not say %q", line)
	}
}

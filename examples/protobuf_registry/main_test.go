package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `sent 3 messages; transactions-proto-value is version 1, a PROTOBUF schema
offset 0: row {"id":"TX-123","amount":99.99,"currency":"","status":"STATUS_UNSPECIFIED","timestamp_ms":0}
          message id=TX-123 amount=99.99 status=STATUS_UNSPECIFIED
offset 1: row {"id":"TX-124","amount":5,"currency":"EUR","status":"SETTLED","timestamp_ms":1704067200000}
          message id=TX-124 amount=5 status=SETTLED
offset 2: row {"id":"TX-125","amount":17.25,"currency":"USD","status":"PENDING","timestamp_ms":0}
          message id=TX-125 amount=17.25 status=PENDING
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
	// sent 3 messages; transactions-proto-value is version 1, a PROTOBUF schema
	// offset 0: row {"id":"TX-123","amount":99.99,"currency":"","status":"STATUS_UNSPECIFIED","timestamp_ms":0}
	//           message id=TX-123 amount=99.99 status=STATUS_UNSPECIFIED
	// offset 1: row {"id":"TX-124","amount":5,"currency":"EUR","status":"SETTLED","timestamp_ms":1704067200000}
	//           message id=TX-124 amount=5 status=SETTLED
	// offset 2: row {"id":"TX-125","amount":17.25,"currency":"USD","status":"PENDING","timestamp_ms":0}
	//           message id=TX-125 amount=17.25 status=PENDING
}

package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `sent {"age":30,"user_id":"123"}
rejected {"user_id":"456"}: kafka: value 0: decode: at byte 17: value violates its schema: missing required property "age"
rejected {"age":-1,"user_id":"789"}: kafka: value 0: decode: field age at byte 9: value violates its schema: -1 is less than the minimum 0
sent {"age":7,"user_id":"42"}
rejected an Arrow batch of 2 rows: kafka: encoding row 1: encode: row 1, field age: value violates the writer schema: null in a non-nullable column: got null
read offset 0: {"user_id":"123","age":30}
read offset 1: {"user_id":"42","age":7}
2 of 4 messages written, 2 rejected
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
	// sent {"age":30,"user_id":"123"}
	// rejected {"user_id":"456"}: kafka: value 0: decode: at byte 17: value violates its schema: missing required property "age"
	// rejected {"age":-1,"user_id":"789"}: kafka: value 0: decode: field age at byte 9: value violates its schema: -1 is less than the minimum 0
	// sent {"age":7,"user_id":"42"}
	// rejected an Arrow batch of 2 rows: kafka: encoding row 1: encode: row 1, field age: value violates the writer schema: null in a non-nullable column: got null
	// read offset 0: {"user_id":"123","age":30}
	// read offset 1: {"user_id":"42","age":7}
	// 2 of 4 messages written, 2 rejected
}

package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `SendValues: 3 messages acknowledged
SendAsync + Flush: 10000 more acknowledged, 10003 in total in 2 calls
offset 0: {"data":"a","id":1}
offset 1: {"data":"b","id":2}
offset 2: {"data":"c","id":3}
read 10003 messages back
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
	// SendValues: 3 messages acknowledged
	// SendAsync + Flush: 10000 more acknowledged, 10003 in total in 2 calls
	// offset 0: {"data":"a","id":1}
	// offset 1: {"data":"b","id":2}
	// offset 2: {"data":"c","id":3}
	// read 10003 messages back
}

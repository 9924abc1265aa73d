package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `Topic: user-events
Partition: 1
Offset: 0
Timestamp: 2024-01-01T12:00:01Z
Key: 789
Value: {"user_id":"789","action":"view"}
Headers: source=web seq=1

Topic: user-events
Partition: 2
Offset: 0
Timestamp: 2024-01-01T12:00:00Z
Key: 123
Value: {"user_id":"123","action":"login"}
Headers: source=web seq=0

Topic: user-events
Partition: 2
Offset: 1
Timestamp: 2024-01-01T12:00:02Z
Key: 123
Value: {"user_id":"123","action":"purchase"}
Headers: source=web seq=2

As Arrow columns: user_id utf8, action utf8, _topic utf8, _partition int32, _offset int64, _timestamp timestamp[ms, tz=UTC], _key binary, _headers list<item: struct<key: utf8, value: binary nullable>, nullable>
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
	// Topic: user-events
	// Partition: 1
	// Offset: 0
	// Timestamp: 2024-01-01T12:00:01Z
	// Key: 789
	// Value: {"user_id":"789","action":"view"}
	// Headers: source=web seq=1
	//
	// Topic: user-events
	// Partition: 2
	// Offset: 0
	// Timestamp: 2024-01-01T12:00:00Z
	// Key: 123
	// Value: {"user_id":"123","action":"login"}
	// Headers: source=web seq=0
	//
	// Topic: user-events
	// Partition: 2
	// Offset: 1
	// Timestamp: 2024-01-01T12:00:02Z
	// Key: 123
	// Value: {"user_id":"123","action":"purchase"}
	// Headers: source=web seq=2
	//
	// As Arrow columns: user_id utf8, action utf8, _topic utf8, _partition int32, _offset int64, _timestamp timestamp[ms, tz=UTC], _key binary, _headers list<item: struct<key: utf8, value: binary nullable>, nullable>
}

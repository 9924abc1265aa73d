package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
)

const want = `sent 4 payments to transactions
key u-3: {"id":"TX-2","user_id":"u-3","amount":980.5}
key u-7: {"id":"TX-3","user_id":"u-7","amount":501.0}
`

func TestRunWithFlags(t *testing.T) {
	if got := exampletest.Run(t, run); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// The README opens with fraudCheck: its first Go block must be this
// program's function, so what a reader copies compiles and runs.
func TestREADMEShowsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```go\n")
	block, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("README.md has no Go block")
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), block) {
		t.Errorf("README.md's first Go block is not in examples/quickstart/main.go; copy the function over:\n%s", block)
	}
	if !strings.Contains(block, "func fraudCheck(") {
		t.Error("README.md's first Go block is not fraudCheck")
	}
}

func Example() {
	ctx, cancel := exampletest.Context()
	defer cancel()
	if err := run(ctx, nil, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sent 4 payments to transactions
	// key u-3: {"id":"TX-2","user_id":"u-3","amount":980.5}
	// key u-7: {"id":"TX-3","user_id":"u-7","amount":501.0}
}

package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/examples/internal/exampletest"
	"github.com/sabot-kafka/sabot/internal/dataset"
)

// expected computes the output from the generated input with plain loops,
// independently of the kernels.
func expected(t *testing.T) string {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := dataset.Transactions(mem, records, seed, 100)
	defer rec.Release()
	id := rec.Column(0).(*array.String)
	user := rec.Column(1).(*array.String)
	amount := rec.Column(2).(*array.Float64)
	currency := rec.Column(3).(*array.String)
	var rows []string
	for i := range int(rec.NumRows()) {
		if amount.Value(i) > 500 && currency.Value(i) == "EUR" {
			rows = append(rows, fmt.Sprintf(`{"id":%q,"user_id":%q,"amount":%v,"very_large":%v}`,
				id.Value(i), user.Value(i), amount.Value(i), amount.Value(i) >= 900))
		}
	}
	slices.Sort(rows)
	var b strings.Builder
	fmt.Fprintf(&b, "wrote %d transactions to input-topic\n", records)
	fmt.Fprintf(&b, "pipeline read %d records and wrote %d rows (amount > 500 and currency = EUR)\n", records, len(rows))
	fmt.Fprintf(&b, "read %d rows back from output-topic; the first three by id:\n", len(rows))
	for _, r := range rows[:3] {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	return b.String()
}

func TestRunWithFlags(t *testing.T) {
	want := expected(t)
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
	// wrote 1000 transactions to input-topic
	// pipeline read 1000 records and wrote 103 rows (amount > 500 and currency = EUR)
	// read 103 rows back from output-topic; the first three by id:
	//   {"id":"TX-000000000","user_id":"u-43203","amount":955.13,"very_large":true}
	//   {"id":"TX-000000020","user_id":"u-44204","amount":983.73,"very_large":true}
	//   {"id":"TX-000000028","user_id":"u-29871","amount":567.32,"very_large":false}
}

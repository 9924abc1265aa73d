// Package decodetest helps format packages test their decode plans without the
// batch machinery: it binds a plan to fresh builders, appends payloads, checks
// the Appender contract (one entry per builder per payload, error or not) and
// returns the rows as one record batch.
package decodetest

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
)

// Run appends every payload through p and returns the batch of all rows (rows
// whose payload failed included, as the appender left them) and the error of
// each payload (nil for rows that decoded). The caller releases the batch.
func Run(t testing.TB, mem memory.Allocator, p decode.Plan, payloads [][]byte) (arrow.RecordBatch, []error) {
	t.Helper()
	fields := p.Fields()
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(mem, f.Type)
	}
	defer func() {
		for _, b := range bs {
			b.Release()
		}
	}()
	app, err := p.Bind(bs)
	if err != nil {
		t.Fatalf("decodetest: bind: %v", err)
	}
	errs := make([]error, len(payloads))
	for row, payload := range payloads {
		errs[row] = app.Append(payload)
		for i, b := range bs {
			if b.Len() != row+1 {
				t.Fatalf("decodetest: payload %d (err %v): column %q has %d entries, want %d",
					row, errs[row], fields[i].Name, b.Len(), row+1)
			}
		}
	}
	cols := make([]arrow.Array, len(bs))
	for i, b := range bs {
		cols[i] = b.NewArray()
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(len(payloads)))
	for _, c := range cols {
		c.Release()
	}
	return rec, errs
}

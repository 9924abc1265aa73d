// Package raw encodes one column as schema-less values: a string column as its
// UTF-8 bytes (String) or a binary column as is (Bytes). A null row is a row
// error, an *encode.ValueError wrapping encode.ErrNull: a Kafka value of
// length zero is not a null, and a tombstone is not written by encoding.
package raw

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/encode"
)

var errNull = fmt.Errorf("%w: a null row has no raw value (encoding writes no tombstones)", encode.ErrNull)

// nullRow is the row error for a null row.
func nullRow() error { return &encode.ValueError{Err: errNull} }

// Compiler encodes the column named column (or the only column when column is
// empty), which must be utf8, large utf8, binary or large binary.
func Compiler(column string) encode.Compiler {
	return encode.CompilerFunc(func(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
		idx, err := pick(s, column)
		if err != nil {
			return nil, encode.Writer{}, err
		}
		switch s.Field(idx).Type.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
			return plan(idx), encode.Writer{}, nil
		}
		return nil, encode.Writer{}, fmt.Errorf("raw: column %q is %s, want a string or binary column: %w",
			s.Field(idx).Name, s.Field(idx).Type, encode.ErrUnsupported)
	})
}

func pick(s *arrow.Schema, column string) (int, error) {
	if column == "" {
		if s.NumFields() != 1 {
			return 0, fmt.Errorf("raw: %d columns; name the one to write", s.NumFields())
		}
		return 0, nil
	}
	idx := s.FieldIndices(column)
	if len(idx) != 1 {
		return 0, fmt.Errorf("raw: want exactly one column %q, found %d", column, len(idx))
	}
	return idx[0], nil
}

type plan int

func (p plan) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	col := rec.Column(int(p))
	switch c := col.(type) {
	case *array.String:
		return appender[*array.String]{c}, nil
	case *array.LargeString:
		return appender[*array.LargeString]{c}, nil
	case *array.Binary:
		return binAppender[*array.Binary]{c}, nil
	case *array.LargeBinary:
		return binAppender[*array.LargeBinary]{c}, nil
	}
	return nil, fmt.Errorf("raw: column is %s: %w", col.DataType(), encode.ErrUnsupported)
}

type stringArray interface {
	IsNull(int) bool
	Value(int) string
}

type appender[A stringArray] struct{ col A }

func (a appender[A]) AppendRow(dst []byte, i int) ([]byte, error) {
	if a.col.IsNull(i) {
		return dst, nullRow()
	}
	return append(dst, a.col.Value(i)...), nil
}

type binaryArray interface {
	IsNull(int) bool
	Value(int) []byte
}

type binAppender[A binaryArray] struct{ col A }

func (a binAppender[A]) AppendRow(dst []byte, i int) ([]byte, error) {
	if a.col.IsNull(i) {
		return dst, nullRow()
	}
	return append(dst, a.col.Value(i)...), nil
}

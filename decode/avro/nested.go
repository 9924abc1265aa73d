package avro

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
)

// at wraps err, the failure of the value at path, in a *decode.ValueError at
// the reader's position, unless a nested value already did (it named the
// deeper path).
func at(r *reader, path string, err error) error {
	var ve *decode.ValueError
	if errors.As(err, &ve) {
		return err
	}
	return &decode.ValueError{Path: path, Offset: r.pos, Err: err}
}

// steps are a record's fields in writer order (decoded into a reader field,
// or skipped), then the reader fields the writer lacks (filled from their
// defaults); paths name them in errors.
type steps struct {
	decs  []decoder
	paths []string
}

// skipDec reads past a writer field the reader does not have.
type skipDec struct{ n *avroschema.Node }

func (d skipDec) decode(r *reader) error { return r.skip(d.n, 0) }
func (skipDec) null()                    {}

// run decodes a record's fields. On an error it appends a null to every
// field not reached, so each field builder gets exactly one entry.
func (s *steps) run(r *reader) error {
	for i, d := range s.decs {
		if err := d.decode(r); err != nil {
			for _, rest := range s.decs[i+1:] {
				rest.null()
			}
			return at(r, s.paths[i], err)
		}
	}
	return nil
}

// rowDec decodes the top-level record: its fields are the columns.
type rowDec struct {
	steps steps
	bs    []array.Builder
}

func (d *rowDec) decode(r *reader) error { return d.steps.run(r) }

func (d *rowDec) null() {
	for _, b := range d.bs {
		b.AppendNull()
	}
}

// structDec decodes a nested record into a struct column.
type structDec struct {
	b     *array.StructBuilder
	steps steps
}

func (d *structDec) decode(r *reader) error {
	d.b.Append(true)
	return d.steps.run(r)
}

func (d *structDec) null() { d.b.AppendNull() }

type listDec struct {
	b    *array.ListBuilder
	item decoder
	path string // of the items: the list's path and "[]"
}

func (d *listDec) decode(r *reader) error {
	d.b.Append(true)
	total := 0
	for {
		n, err := r.blockCount(total)
		if err != nil || n == 0 {
			return err
		}
		total += n
		for ; n > 0; n-- {
			if err := d.item.decode(r); err != nil {
				return at(r, d.path, err)
			}
		}
	}
}

func (d *listDec) null() { d.b.AppendNull() }

type mapDec struct {
	b     *array.MapBuilder
	keys  *array.BinaryBuilder
	value decoder
	check bool
	path  string // of the values: the map's path and "{}"
}

func (d *mapDec) decode(r *reader) error {
	d.b.Append(true)
	total := 0
	for {
		n, err := r.blockCount(total)
		if err != nil || n == 0 {
			return err
		}
		total += n
		for ; n > 0; n-- {
			// A key that fails is not appended: the entry stops before it,
			// keeping keys and values the same length.
			k := r.bytes()
			err := r.err
			if err == nil && d.check && !validUTF8(k) {
				err = errUTF8
			}
			if err != nil {
				return err // a key error is the map's own
			}
			appendBinary(d.keys, k)
			if err := d.value.decode(r); err != nil {
				return at(r, d.path, err)
			}
		}
	}
}

func (d *mapDec) null() { d.b.AppendNull() }

// unionDec reads a writer union's branch index and hands the value to the
// branch's decoder; every branch appends into the same reader column.
type unionDec struct {
	branches []decoder
}

func (d *unionDec) decode(r *reader) error {
	i := r.long()
	err := r.err
	if err == nil && (i < 0 || i >= int64(len(d.branches))) {
		err = badUnionIndex(i, len(d.branches))
	}
	if err != nil {
		d.branches[0].null()
		return err
	}
	return d.branches[i].decode(r)
}

func (d *unionDec) null() { d.branches[0].null() }

// memberDec appends a value as member j of a union that maps to a struct of
// nullable members: the struct entry is valid, the other members null.
type memberDec struct {
	b       *array.StructBuilder
	members []array.Builder
	j       int
	inner   decoder
}

func (d *memberDec) decode(r *reader) error {
	d.b.Append(true)
	for k, m := range d.members {
		if k != d.j {
			m.AppendNull()
		}
	}
	return d.inner.decode(r)
}

func (d *memberDec) null() { d.b.AppendNull() }

// constDec appends a reader default: the default's Avro encoding, decoded
// from its own reader each time.
type constDec struct {
	rd    reader
	inner decoder
}

func (d *constDec) decode(*reader) error {
	d.rd.pos = 0
	return d.inner.decode(&d.rd)
}

func (d *constDec) null() { d.inner.null() }

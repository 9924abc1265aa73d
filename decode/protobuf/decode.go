package protobuf

import (
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sabot-kafka/sabot/decode"
)

// decode reads one message body and appends exactly one entry to every
// builder of m (one struct entry when m is nested), error or not. m.base is
// the body's offset in the payload, for error offsets.
func (m *msgDec) decode(b []byte) error {
	m.end = m.base + len(b)
	m.begin()
	err := m.scan(b)
	if err == nil && len(m.spec.required) > 0 {
		err = m.checkRequired()
	}
	return m.finish(err)
}

// begin starts a message: a new scratch generation, the struct entry, and
// the entries of list and map columns, whose items are appended as they
// arrive.
func (m *msgDec) begin() {
	m.gen++
	if m.gen == 0 { // wrapped: forget every old mark
		clear(m.seen)
		clear(m.merged)
		m.gen = 1
	}
	if m.sb != nil {
		m.sb.Append(true)
	}
	for _, i := range m.lists {
		f := &m.fields[i]
		m.count[i] = 0
		if f.list != nil {
			f.list.Append(true)
		} else {
			f.mapb.Append(true)
		}
	}
}

func (m *msgDec) scan(b []byte) error {
	path := m.spec.path
	for len(b) > 0 {
		at := m.end - len(b) // the tag's offset in the payload
		tag, n := uint64(b[0]), 1
		if tag >= 0x80 {
			tag, n = protowire.ConsumeVarint(b)
			if n < 0 {
				return malformed(path, at, "tag", n)
			}
		}
		b = b[n:]
		if tag>>3 > uint64(protowire.MaxValidNumber) {
			return malformed(path, at, fmt.Sprintf("field number %d", tag>>3), 0)
		}
		num, typ := protowire.Number(tag>>3), protowire.Type(tag&7) // #nosec G115 -- checked above
		at += n                                                     // the value's offset
		fi := m.lookup(num)
		if fi < 0 {
			n, err := skipValue(path, at, num, typ, b, 1, m.lim.MaxDepth)
			if err != nil {
				return err
			}
			b = b[n:]
			continue
		}
		// Fast paths for the common singular number and string/bytes
		// fields; everything else goes through field.
		if f := &m.fields[fi]; typ == f.wt && len(f.siblings) == 0 {
			switch f.mode {
			case modeScalar:
				var v uint64
				n := 1
				if f.op == opVarint && len(b) > 0 && b[0] < 0x80 {
					v = uint64(b[0])
				} else if v, n = readNum(f.op, b); n < 0 {
					return malformed(f.path, at, "value", n)
				}
				m.nums[fi] = v
				m.seen[fi] = m.gen
				b = b[n:]
				continue
			case modeBytes:
				if len(b) > 0 && b[0] < 0x80 && int(b[0]) < len(b) && int(b[0]) <= m.lim.MaxBytes {
					end := 1 + int(b[0])
					v := b[1:end:end]
					if f.utf8 && !utf8.Valid(v) {
						return checkUTF8(f.path, at, v)
					}
					m.spans[fi] = v
					m.seen[fi] = m.gen
					b = b[end:]
					continue
				}
			}
		}
		n, err := m.field(fi, typ, b, at)
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// set marks field i as present, clearing the other members of its oneof.
func (m *msgDec) set(f *fieldDec, i int) {
	for _, o := range f.siblings {
		m.seen[o] = 0
	}
	m.seen[i] = m.gen
}

// field reads one occurrence of field i from b, at bytes into the payload,
// and returns its size.
func (m *msgDec) field(i int, typ protowire.Type, b []byte, at int) (int, error) {
	f := &m.fields[i]
	switch f.mode {
	case modeScalar:
		if typ != f.wt {
			return 0, wrongType(f.path, at, typ, f.wt)
		}
		v, n := readNum(f.op, b)
		if n < 0 {
			return 0, malformed(f.path, at, "value", n)
		}
		m.nums[i] = v
		m.set(f, i)
		return n, nil
	case modeBytes:
		if typ != protowire.BytesType {
			return 0, wrongType(f.path, at, typ, protowire.BytesType)
		}
		v, n, err := readLen(f.path, at, b, m.lim.MaxBytes)
		if err != nil {
			return 0, err
		}
		if f.utf8 {
			if err := checkUTF8(f.path, at, v); err != nil {
				return 0, err
			}
		}
		m.spans[i] = v
		m.set(f, i)
		return n, nil
	case modeMessage, modeWKT:
		v, n, voff, err := m.span(f, f.path, typ, b, at)
		if err != nil {
			return 0, err
		}
		if m.seen[i] == m.gen {
			// A message that occurs again merges into the first: decoding
			// the concatenation of both bodies is exactly that merge.
			// (Error offsets inside it count from the first occurrence.)
			if m.merged[i] != m.gen {
				m.merge[i] = append(m.merge[i][:0], m.spans[i]...)
				m.merged[i] = m.gen
			}
			m.merge[i] = append(m.merge[i], v...)
			m.spans[i] = m.merge[i]
			return n, nil
		}
		m.spans[i] = v
		m.offs[i] = voff
		m.merged[i] = 0
		m.set(f, i)
		return n, nil
	case modeMap:
		if typ != protowire.BytesType {
			return 0, wrongType(f.path, at, typ, protowire.BytesType)
		}
		v, n, err := readLen(f.path, at, b, len(b))
		if err != nil {
			return 0, err
		}
		if err := m.item(i, f, at); err != nil {
			return 0, err
		}
		f.child.base = at + n - len(v)
		return n, f.child.decode(v)
	}
	return m.listValue(i, f, typ, b, at)
}

// span reads the body of one message or group occurrence at at; voff is the
// body's offset.
func (m *msgDec) span(f *fieldDec, path string, typ protowire.Type, b []byte, at int) (v []byte, n, voff int, err error) {
	if typ != f.wt {
		return nil, 0, 0, wrongType(path, at, typ, f.wt)
	}
	if f.op == opGroup {
		v, n, err = groupBody(path, at, f.num, b, 1, m.lim.MaxDepth)
		return v, n, at, err
	}
	v, n, err = readLen(path, at, b, len(b))
	return v, n, at + n - len(v), err
}

// item counts one more item of list or map field i against MaxItems.
func (m *msgDec) item(i int, f *fieldDec, at int) error {
	m.count[i]++
	if m.count[i] > m.lim.MaxItems {
		return valueErr(f.path, at, decode.ErrTooLarge, "more than %d items", m.lim.MaxItems)
	}
	return nil
}

// listValue reads one occurrence of repeated field i: one element, or a
// packed run of numbers. Errors about an element name the item path
// ("tags[]").
func (m *msgDec) listValue(i int, f *fieldDec, typ protowire.Type, b []byte, at int) (int, error) {
	ip := f.itemPath
	switch {
	case f.child != nil:
		v, n, voff, err := m.span(f, ip, typ, b, at)
		if err != nil {
			return 0, err
		}
		if err := m.item(i, f, at); err != nil {
			return 0, err
		}
		f.child.base = voff
		return n, f.child.decode(v)
	case f.wkt != wktNone:
		v, n, voff, err := m.span(f, ip, typ, b, at)
		if err != nil {
			return 0, err
		}
		if err := m.item(i, f, at); err != nil {
			return 0, err
		}
		num, bs, err := readWKT(ip, voff, f.wkt, v, m.lim.MaxBytes, m.lim.MaxDepth)
		if err != nil {
			return 0, err
		}
		putWKT(f, num, bs)
		return n, nil
	case f.op == opBytes:
		if typ != protowire.BytesType {
			return 0, wrongType(ip, at, typ, protowire.BytesType)
		}
		v, n, err := readLen(ip, at, b, m.lim.MaxBytes)
		if err != nil {
			return 0, err
		}
		if f.utf8 {
			if err := checkUTF8(ip, at, v); err != nil {
				return 0, err
			}
		}
		if err := m.item(i, f, at); err != nil {
			return 0, err
		}
		f.sink.bytes(v)
		return n, nil
	case typ == protowire.BytesType && f.packable:
		v, n, err := readLen(ip, at, b, len(b))
		if err != nil {
			return 0, err
		}
		return n, m.packed(i, f, v, at+n-len(v))
	case typ == f.wt:
		if err := m.item(i, f, at); err != nil {
			return 0, err
		}
		v, n := readNum(f.op, b)
		if n < 0 {
			return 0, malformed(ip, at, "value", n)
		}
		f.sink.num(v)
		return n, nil
	}
	return 0, wrongType(ip, at, typ, f.wt)
}

// packed reads a packed run of numbers of field i, at bytes into the payload.
func (m *msgDec) packed(i int, f *fieldDec, b []byte, at int) error {
	end := at + len(b)
	for len(b) > 0 {
		if err := m.item(i, f, end-len(b)); err != nil {
			return err
		}
		v, n := readNum(f.op, b)
		if n < 0 {
			return malformed(f.itemPath, end-len(b), "packed value", n)
		}
		f.sink.num(v)
		b = b[n:]
	}
	return nil
}

func putWKT(f *fieldDec, num uint64, bs []byte) {
	if bs != nil {
		f.sink.bytes(bs)
		return
	}
	f.sink.num(num)
}

func (m *msgDec) checkRequired() error {
	for _, i := range m.spec.required {
		if m.seen[i] != m.gen {
			return valueErr(m.fields[i].path, m.end, decode.ErrNull, "required field is missing")
		}
	}
	return nil
}

// finish appends the scratch row: one entry to every column not appended
// while scanning. After an error (err != nil) nested messages are appended as
// nulls rather than decoded. It returns err or the first error of a nested
// message.
func (m *msgDec) finish(err error) error {
	for i := range m.fields {
		f := &m.fields[i]
		set := m.seen[i] == m.gen
		switch f.mode {
		case modeScalar:
			switch {
			case set:
				f.sink.num(m.nums[i])
			case f.presence:
				f.sink.null()
			default:
				f.sink.zero()
			}
		case modeBytes:
			switch {
			case set:
				f.sink.bytes(m.spans[i])
			case f.presence:
				f.sink.null()
			default:
				f.sink.zero()
			}
		case modeMessage:
			switch {
			case err == nil && (set || f.emptyIfAbsent):
				var body []byte
				f.child.base = m.end
				if set {
					body, f.child.base = m.spans[i], m.offs[i]
				}
				err = f.child.decode(body)
			case f.emptyIfAbsent:
				// Map values are non-nullable in Arrow (a null item makes
				// the map array invalid), so a failed row gets an empty
				// message there; decoding nothing cannot fail.
				_ = f.child.decode(nil)
			default:
				f.child.sb.AppendNull() // nulls every nested column too
			}
		case modeWKT:
			if err != nil || (!set && !f.emptyIfAbsent) {
				if f.emptyIfAbsent {
					f.sink.zero() // non-nullable map value
				} else {
					f.sink.null()
				}
				continue
			}
			var body []byte
			at := m.end
			if set {
				body, at = m.spans[i], m.offs[i]
			}
			num, bs, werr := readWKT(f.path, at, f.wkt, body, m.lim.MaxBytes, m.lim.MaxDepth)
			if werr != nil {
				err = werr
				if f.emptyIfAbsent {
					f.sink.zero()
				} else {
					f.sink.null()
				}
				continue
			}
			putWKT(f, num, bs)
		}
	}
	for c := range m.cases {
		cd := &m.cases[c]
		name := []byte(nil)
		for k, mi := range cd.members {
			if m.seen[mi] == m.gen {
				name = cd.names[k]
				break
			}
		}
		if name == nil {
			cd.b.AppendNull()
		} else {
			cd.b.BinaryBuilder.Append(name)
		}
	}
	return err
}

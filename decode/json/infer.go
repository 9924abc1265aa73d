package json

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/decode"
)

// shape accumulates what a sample showed at one position.
type shape struct {
	kinds int
	keys  []string // object keys in first-seen order
	kids  map[string]*shape
	elem  *shape
}

// Infer derives an Arrow schema from sample values, each a JSON object. The
// policy (see the package documentation): keys are the union over the
// sample, in first-seen order; integers that fit int64 → int64, any
// fraction or exponent among the numbers → float64; strings → utf8; booleans
// → bool; objects → struct (recursively); arrays → list of the union of
// their items; a key whose values mix kinds, or that was only ever null →
// a raw-JSON utf8 column (IsRaw). Every column is nullable.
func Infer(sample [][]byte, l decode.Limits) (*arrow.Schema, error) {
	if len(sample) == 0 {
		return nil, fmt.Errorf("json: inferring a schema needs at least one sample value: %w", decode.ErrUnsupported)
	}
	root := &shape{}
	s := scanner{lim: l.WithDefaults()}
	for i, v := range sample {
		s.reset(v)
		if c := s.ws(); c != '{' {
			return nil, fmt.Errorf("json: sample value %d is a %s, want an object: %w", i, kindName(c), decode.ErrType)
		}
		if err := s.shape(root); err != nil {
			return nil, fmt.Errorf("json: sample value %d: %w", i, err)
		}
		if err := s.end(); err != nil {
			return nil, fmt.Errorf("json: sample value %d: %w", i, err)
		}
	}
	fields := make([]arrow.Field, len(root.keys))
	for i, k := range root.keys {
		fields[i] = root.kids[k].field(k)
	}
	return arrow.NewSchema(fields, nil), nil
}

// shape reads one value into sh.
func (s *scanner) shape(sh *shape) error {
	switch c := s.ws(); c {
	case '{':
		sh.kinds |= kindObject
		if err := s.enter(""); err != nil {
			return err
		}
		s.pos++
		if s.ws() == '}' {
			s.pos++
			s.depth--
			return nil
		}
		for {
			if s.ws() != '"' {
				return s.syntax("", "expected an object key")
			}
			key, err := s.str("", &s.keyBuf)
			if err != nil {
				return err
			}
			if s.ws() != ':' {
				return s.syntax("", "expected ':'")
			}
			s.pos++
			if sh.kids == nil {
				sh.kids = map[string]*shape{}
			}
			kid, ok := sh.kids[string(key)]
			if !ok {
				kid = &shape{}
				sh.kids[string(key)] = kid
				sh.keys = append(sh.keys, string(key))
			}
			if err := s.shape(kid); err != nil {
				return err
			}
			switch s.ws() {
			case ',':
				s.pos++
			case '}':
				s.pos++
				s.depth--
				return nil
			default:
				return s.syntax("", "expected ',' or '}'")
			}
		}
	case '[':
		sh.kinds |= kindArray
		if err := s.enter(""); err != nil {
			return err
		}
		s.pos++
		if sh.elem == nil {
			sh.elem = &shape{}
		}
		if s.ws() == ']' {
			s.pos++
			s.depth--
			return nil
		}
		for {
			if err := s.shape(sh.elem); err != nil {
				return err
			}
			switch s.ws() {
			case ',':
				s.pos++
			case ']':
				s.pos++
				s.depth--
				return nil
			default:
				return s.syntax("", "expected ',' or ']'")
			}
		}
	case '"':
		sh.kinds |= kindString
		_, err := s.str("", &s.scratch)
		return err
	case 't', 'f':
		sh.kinds |= kindBool
		return s.skip("")
	case 'n':
		sh.kinds |= kindNull
		return s.skip("")
	default:
		text, integer, err := s.number("")
		if err != nil {
			return err
		}
		if _, ok := parseInt(text, integer, int64Range[0], int64Range[1]); ok && integer {
			sh.kinds |= kindInteger
		} else {
			sh.kinds |= kindNumber
		}
		return nil
	}
}

func (sh *shape) field(name string) arrow.Field {
	switch sh.kinds &^ kindNull {
	case kindBool:
		return arrow.Field{Name: name, Type: arrow.FixedWidthTypes.Boolean, Nullable: true}
	case kindInteger:
		return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: true}
	case kindNumber, kindNumber | kindInteger:
		return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	case kindString:
		return arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}
	case kindObject:
		fields := make([]arrow.Field, len(sh.keys))
		for i, k := range sh.keys {
			fields[i] = sh.kids[k].field(k)
		}
		return arrow.Field{Name: name, Type: arrow.StructOf(fields...), Nullable: true}
	case kindArray:
		return arrow.Field{Name: name, Type: arrow.ListOfField(sh.elem.field("item")), Nullable: true}
	}
	return RawField(name)
}

package json

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sabot-kafka/sabot/decode"
)

// scanner walks one payload. Strings are returned as views of the payload
// when they hold no escapes, or of scratch (reused) when they do.
type scanner struct {
	buf     []byte
	pos     int
	depth   int
	lim     decode.Limits
	scratch []byte
	keyBuf  []byte // unescaped object keys, separate from scratch
}

func (s *scanner) reset(b []byte) {
	s.buf, s.pos, s.depth = b, 0, 0
}

// fail is the error for the value at s.pos: a *decode.ValueError at path
// whose Err wraps kind (a decode sentinel) with the detail.
// fail builds a record's error; it is kept out of line so error paths do
// not weigh on the hot loops that call it.
//
//go:noinline
func (s *scanner) fail(kind error, path, format string, args ...any) error {
	return s.failAt(s.pos, kind, path, format, args...)
}

func (s *scanner) failAt(off int, kind error, path, format string, args ...any) error {
	return &decode.ValueError{Path: path, Offset: off, Err: fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))}
}

// syntax is the error for text that is not JSON (decode.ErrMalformed).
func (s *scanner) syntax(path, msg string) error {
	if s.pos >= len(s.buf) {
		msg = "unexpected end of input"
	}
	return &decode.ValueError{Path: path, Offset: s.pos, Err: fmt.Errorf("%w: %s", decode.ErrMalformed, msg)}
}

// ws skips whitespace and returns the next byte (0 at the end).
func (s *scanner) ws() byte {
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return c
		}
		s.pos++
	}
	return 0
}

// end checks that only whitespace follows the top-level value.
func (s *scanner) end() error {
	if s.ws(); s.pos != len(s.buf) {
		return s.syntax("", "data after the top-level value")
	}
	return nil
}

// enter counts one level of nesting against MaxDepth.
func (s *scanner) enter(path string) error {
	s.depth++
	if s.depth > s.lim.MaxDepth {
		return s.fail(decode.ErrTooLarge, path, "nesting deeper than %d", s.lim.MaxDepth)
	}
	return nil
}

// literal consumes word (true, false, null) at pos.
func (s *scanner) literal(word, path string) error {
	if len(s.buf)-s.pos < len(word) || string(s.buf[s.pos:s.pos+len(word)]) != word {
		return s.syntax(path, "invalid literal")
	}
	s.pos += len(word)
	return nil
}

// isNull consumes a null literal if one is next.
func (s *scanner) isNull() bool {
	if s.pos+4 <= len(s.buf) && s.buf[s.pos] == 'n' && string(s.buf[s.pos:s.pos+4]) == "null" {
		s.pos += 4
		return true
	}
	return false
}

// str reads the string at pos (which must be '"') and returns its unescaped
// bytes. The result aliases the payload or dst's backing array; it is valid
// until the next call that reuses the same buffer.
func (s *scanner) str(path string, dst *[]byte) ([]byte, error) {
	if s.pos >= len(s.buf) || s.buf[s.pos] != '"' {
		return nil, s.syntax(path, "expected a string")
	}
	start := s.pos + 1
	i := start
	ascii := true
	for i < len(s.buf) {
		c := s.buf[i]
		if c == '"' {
			v := s.buf[start:i]
			if len(v) > s.lim.MaxBytes {
				return nil, s.failAt(start, decode.ErrTooLarge, path, "%d-byte string over MaxBytes %d", len(v), s.lim.MaxBytes)
			}
			if !ascii && !utf8.Valid(v) {
				s.pos = start
				return nil, s.syntax(path, "string is not valid UTF-8")
			}
			s.pos = i + 1
			return v, nil
		}
		if c == '\\' {
			return s.strEscaped(path, start, i, dst)
		}
		if c < 0x20 {
			s.pos = i
			return nil, s.syntax(path, "control character in string")
		}
		if c >= 0x80 {
			ascii = false
		}
		i++
	}
	s.pos = i
	return nil, s.syntax(path, "unterminated string")
}

// strEscaped finishes a string that has escapes, unescaping into *dst.
func (s *scanner) strEscaped(path string, start, i int, dst *[]byte) ([]byte, error) {
	out := append((*dst)[:0], s.buf[start:i]...)
	ascii := true
	for _, c := range out {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	defer func() { *dst = out[:0] }()
	for i < len(s.buf) {
		c := s.buf[i]
		switch {
		case c == '"':
			if len(out) > s.lim.MaxBytes {
				return nil, s.failAt(start, decode.ErrTooLarge, path, "%d-byte string over MaxBytes %d", len(out), s.lim.MaxBytes)
			}
			if !ascii && !utf8.Valid(out) {
				s.pos = start
				return nil, s.syntax(path, "string is not valid UTF-8")
			}
			s.pos = i + 1
			return out, nil
		case c == '\\':
			if i+1 >= len(s.buf) {
				s.pos = len(s.buf)
				return nil, s.syntax(path, "unterminated string")
			}
			e := s.buf[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(s.buf, i)
				if !ok {
					s.pos = i - 2
					return nil, s.syntax(path, "bad \\u escape")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A high surrogate followed by \u low surrogate is one
					// code point; a lone surrogate becomes U+FFFD, as
					// encoding/json does.
					r2, ok2 := rune(-1), false
					if i+6 <= len(s.buf) && s.buf[i] == '\\' && s.buf[i+1] == 'u' {
						r2, ok2 = hex4(s.buf, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
				if r >= 0x80 {
					ascii = false
				}
			default:
				s.pos = i - 2
				return nil, s.syntax(path, "bad escape")
			}
		case c < 0x20:
			s.pos = i
			return nil, s.syntax(path, "control character in string")
		default:
			if c >= 0x80 {
				ascii = false
			}
			out = append(out, c)
			i++
		}
	}
	s.pos = i
	return nil, s.syntax(path, "unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number reads the number at pos, checking RFC 8259 grammar, and returns its
// text and whether it is a plain integer (no fraction or exponent).
func (s *scanner) number(path string) ([]byte, bool, error) {
	b := s.buf
	start := s.pos
	i := start
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		return nil, false, s.syntax(path, "invalid number")
	}
	integer := true
	if i < len(b) && b[i] == '.' {
		integer = false
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.pos = i
			return nil, false, s.syntax(path, "invalid number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integer = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.pos = i
			return nil, false, s.syntax(path, "invalid number")
		}
	}
	if i-start > 1024 {
		s.pos = start
		return nil, false, s.failAt(start, decode.ErrTooLarge, path, "%d-character number (at most 1024)", i-start)
	}
	s.pos = i
	return b[start:i], integer, nil
}

// skip consumes any value, checking its syntax, nesting and sizes.
func (s *scanner) skip(path string) error {
	switch c := s.ws(); c {
	case '"':
		_, err := s.str(path, &s.scratch)
		return err
	case '{':
		if err := s.enter(path); err != nil {
			return err
		}
		s.pos++
		n := 0
		if s.ws() == '}' {
			s.pos++
			s.depth--
			return nil
		}
		for {
			if s.ws() != '"' {
				return s.syntax(path, "expected an object key")
			}
			if _, err := s.str(path, &s.scratch); err != nil {
				return err
			}
			if s.ws() != ':' {
				return s.syntax(path, "expected ':'")
			}
			s.pos++
			if err := s.skip(path); err != nil {
				return err
			}
			if n++; n > s.lim.MaxItems {
				return s.fail(decode.ErrTooLarge, path, "object with more than %d keys", s.lim.MaxItems)
			}
			switch s.ws() {
			case ',':
				s.pos++
			case '}':
				s.pos++
				s.depth--
				return nil
			default:
				return s.syntax(path, "expected ',' or '}'")
			}
		}
	case '[':
		if err := s.enter(path); err != nil {
			return err
		}
		s.pos++
		if s.ws() == ']' {
			s.pos++
			s.depth--
			return nil
		}
		n := 0
		for {
			if err := s.skip(path); err != nil {
				return err
			}
			if n++; n > s.lim.MaxItems {
				return s.fail(decode.ErrTooLarge, path, "array with more than %d items", s.lim.MaxItems)
			}
			switch s.ws() {
			case ',':
				s.pos++
			case ']':
				s.pos++
				s.depth--
				return nil
			default:
				return s.syntax(path, "expected ',' or ']'")
			}
		}
	case 't':
		return s.literal("true", path)
	case 'f':
		return s.literal("false", path)
	case 'n':
		return s.literal("null", path)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			_, _, err := s.number(path)
			return err
		}
		return s.syntax(path, "expected a value")
	}
}

// kindName names the JSON kind starting with c, for error messages.
func kindName(c byte) string {
	switch {
	case c == '"':
		return "string"
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "number"
	case c == 0:
		return "end of input"
	}
	return "invalid value"
}

package json

import (
	"math/big"
	"regexp"
	"unicode/utf8"

	"github.com/sabot-kafka/sabot/decode"
)

// checks are JSON Schema assertions compiled into a plan, so a validating
// decoder checks them while it scans instead of building a document for a
// general validator. Only the keywords below are compiled; a schema using
// anything else is validated by the full validator instead (see
// Document.Exact).
type checks struct {
	min, max, xmin, xmax *bound

	minLen, maxLen int // runes; maxLen -1: none
	pattern        *regexp.Regexp
	enum           map[string]struct{}
}

// bound is a numeric limit, kept exact with a float64 copy for the common
// case: a comparison that is not a tie in float64 gives the exact answer
// (correct rounding is monotonic), and ties are settled with big.Rat.
type bound struct {
	r    *big.Rat
	f    float64
	text string
}

func newBound(r *big.Rat) *bound {
	if r == nil {
		return nil
	}
	f, _ := r.Float64()
	return &bound{r: r, f: f, text: r.RatString()}
}

// cmp compares the number text (whose float64 value is f) with b.
func (b *bound) cmp(text []byte, f float64) int {
	switch {
	case f < b.f:
		return -1
	case f > b.f:
		return 1
	}
	v, ok := new(big.Rat).SetString(string(text))
	if !ok {
		return 0
	}
	return v.Cmp(b.r)
}

func (c *checks) number(s *scanner, path string, text []byte, f float64) error {
	if c.min != nil && c.min.cmp(text, f) < 0 {
		return s.fail(decode.ErrInvalid, path, "%s is less than the minimum %s", text, c.min.text)
	}
	if c.xmin != nil && c.xmin.cmp(text, f) <= 0 {
		return s.fail(decode.ErrInvalid, path, "%s is not greater than the exclusive minimum %s", text, c.xmin.text)
	}
	if c.max != nil && c.max.cmp(text, f) > 0 {
		return s.fail(decode.ErrInvalid, path, "%s is greater than the maximum %s", text, c.max.text)
	}
	if c.xmax != nil && c.xmax.cmp(text, f) >= 0 {
		return s.fail(decode.ErrInvalid, path, "%s is not less than the exclusive maximum %s", text, c.xmax.text)
	}
	return nil
}

func (c *checks) str(s *scanner, path string, v []byte) error {
	if c.minLen > 0 || c.maxLen >= 0 {
		n := utf8.RuneCount(v)
		if n < c.minLen {
			return s.fail(decode.ErrInvalid, path, "length %d is less than minLength %d", n, c.minLen)
		}
		if c.maxLen >= 0 && n > c.maxLen {
			return s.fail(decode.ErrInvalid, path, "length %d is greater than maxLength %d", n, c.maxLen)
		}
	}
	if c.pattern != nil && !c.pattern.Match(v) {
		return s.fail(decode.ErrInvalid, path, "%q does not match pattern %q", v, c.pattern.String())
	}
	if c.enum != nil {
		if _, ok := c.enum[string(v)]; !ok {
			return s.fail(decode.ErrInvalid, path, "%q is not one of the enum values", v)
		}
	}
	return nil
}

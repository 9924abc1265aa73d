package wire

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	for _, id := range []int{0, 1, 255, 256, 1<<31 - 1} {
		b := AppendHeader(nil, id)
		b = append(b, "payload"...)
		got, payload, err := ParseHeader(b)
		if err != nil || got != id || string(payload) != "payload" {
			t.Fatalf("id %d: got %d %q %v", id, got, payload, err)
		}
	}
	if got := AppendHeader(nil, 0x01020304); !bytes.Equal(got, []byte{0, 1, 2, 3, 4}) {
		t.Fatalf("header bytes = % x", got)
	}
}

func TestParseHeaderErrors(t *testing.T) {
	if _, _, err := ParseHeader([]byte{0, 0, 0}); !errors.Is(err, ErrTooShort) {
		t.Fatalf("short: %v", err)
	}
	if _, _, err := ParseHeader([]byte{1, 0, 0, 0, 1}); !errors.Is(err, ErrBadMagic) {
		t.Fatalf("magic: %v", err)
	}
}

// The id is a signed 32-bit integer: a first id byte of 0x80 or more is a
// negative id, never an id of 2^31 or more.
func TestParseHeaderSignedID(t *testing.T) {
	cases := []struct {
		hdr []byte
		id  int
	}{
		{[]byte{0, 0x7f, 0xff, 0xff, 0xff}, 1<<31 - 1},
		{[]byte{0, 0x80, 0, 0, 0}, -1 << 31},
		{[]byte{0, 0xff, 0xff, 0xff, 0xff}, -1},
		{[]byte{0, 0x80, 0, 0, 1}, -1<<31 + 1},
		{[]byte{0, 0xc0, 0x12, 0x34, 0x56}, int(int32(-0x3fedcbaa))},
	}
	for _, c := range cases {
		id, payload, err := ParseHeader(append(c.hdr, "rest"...))
		if c.id >= 0 {
			if err != nil || id != c.id || string(payload) != "rest" {
				t.Errorf("% x: id %d payload %q err %v, want id %d", c.hdr, id, payload, err, c.id)
			}
			continue
		}
		if !errors.Is(err, ErrNegativeID) || id != c.id || payload != nil {
			t.Errorf("% x: id %d payload %q err %v, want ErrNegativeID with id %d", c.hdr, id, payload, err, c.id)
		}
		if id >= 1<<31 {
			t.Errorf("% x read as unsigned id %d", c.hdr, id)
		}
	}
}

// The byte forms are those DESIGN.md gives for the Confluent serializers.
func TestMessageIndexes(t *testing.T) {
	cases := []struct {
		path []int
		wire []byte
	}{
		{[]int{0}, []byte{0x00}},
		{[]int{1}, []byte{0x02, 0x02}},
		{[]int{0, 2}, []byte{0x04, 0x00, 0x04}},
		{[]int{3, 1, 0}, []byte{0x06, 0x06, 0x02, 0x00}},
	}
	for _, c := range cases {
		if got := AppendMessageIndexes(nil, c.path); !bytes.Equal(got, c.wire) {
			t.Errorf("append %v = % x, want % x", c.path, got, c.wire)
		}
		got, rest, err := ParseMessageIndexes(append(slices.Clone(c.wire), 0xAA), nil)
		if err != nil || !slices.Equal(got, c.path) || !bytes.Equal(rest, []byte{0xAA}) {
			t.Errorf("parse % x = %v rest % x err %v", c.wire, got, rest, err)
		}
	}
	// The long form of [0] is accepted.
	got, _, err := ParseMessageIndexes([]byte{0x02, 0x00}, nil)
	if err != nil || !slices.Equal(got, []int{0}) {
		t.Fatalf("long form of [0]: %v %v", got, err)
	}
}

func TestMessageIndexErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":         nil,
		"truncated":     {0x04, 0x00},
		"negative":      {0x01},
		"too many":      AppendMessageIndexes(nil, make([]int, MaxMessageIndexes+1)),
		"overflow":      bytes.Repeat([]byte{0xff}, 11),
		"negative item": {0x02, 0x01},
	} {
		if _, _, err := ParseMessageIndexes(b, nil); !errors.Is(err, ErrBadIndexes) {
			t.Errorf("%s: err = %v, want ErrBadIndexes", name, err)
		}
	}
}

func TestGUIDHeader(t *testing.T) {
	v := append([]byte{GUIDMagicByte}, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0, 1, 2, 3, 4, 5, 6, 7)
	got, err := ParseGUIDHeader(v)
	if err != nil || got != "12345678-9abc-def0-0001-020304050607" {
		t.Fatalf("guid = %q %v", got, err)
	}
	if _, err := ParseGUIDHeader(v[:10]); !errors.Is(err, ErrBadGUIDHeader) {
		t.Fatalf("short guid: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 0x00, 'x'})
	f.Add([]byte{0, 0, 0, 0, 7, 0x04, 0x00, 0x04})
	f.Add([]byte{0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, payload, err := ParseHeader(b)
		if err != nil {
			return
		}
		if !bytes.Equal(AppendHeader(nil, id), b[:HeaderSize]) {
			t.Fatalf("header does not round-trip")
		}
		path, rest, err := ParseMessageIndexes(payload, nil)
		if err != nil {
			return
		}
		if len(path) > MaxMessageIndexes || len(rest) > len(payload) {
			t.Fatalf("path %d long, rest %d of %d", len(path), len(rest), len(payload))
		}
		again, _, err := ParseMessageIndexes(AppendMessageIndexes(nil, path), nil)
		if err != nil || !slices.Equal(again, path) {
			t.Fatalf("path %v does not round-trip: %v %v", path, again, err)
		}
	})
}

package batch

import (
	"fmt"
	"time"
)

// Limits say when a micro-batch is full. Zero fields are off; at least one
// must be set.
type Limits struct {
	// Rows closes a batch once it holds this many records.
	Rows int
	// Bytes closes a batch once its records add up to this many bytes.
	Bytes int
	// Linger closes a batch this long after its first record arrived, full
	// or not.
	Linger time.Duration
}

// Validate reports limits that would never close a batch.
func (l Limits) Validate() error {
	if l.Rows < 0 || l.Bytes < 0 || l.Linger < 0 {
		return fmt.Errorf("batch: negative limit in %+v", l)
	}
	if l.Rows == 0 && l.Bytes == 0 && l.Linger == 0 {
		return fmt.Errorf("batch: limits %+v never close a batch: set Rows, Bytes or Linger", l)
	}
	return nil
}

// Reason says why a batch is full.
type Reason uint8

// Reasons a batch is full.
const (
	NotFull Reason = iota
	FullRows
	FullBytes
	FullLinger
)

func (r Reason) String() string {
	switch r {
	case FullRows:
		return "rows"
	case FullBytes:
		return "bytes"
	case FullLinger:
		return "linger"
	}
	return "not full"
}

// Sizer tracks one micro-batch as records join it. It is used by one
// goroutine; time comes from time.Now (so tests run it in a synctest bubble).
type Sizer struct {
	lim   Limits
	rows  int
	bytes int
	start time.Time // arrival of the first record; zero when empty
}

// NewSizer returns a Sizer for lim.
func NewSizer(lim Limits) (*Sizer, error) {
	if err := lim.Validate(); err != nil {
		return nil, err
	}
	return &Sizer{lim: lim}, nil
}

// Add counts rows records of bytes bytes into the batch and says whether it
// is now full (rows and bytes are checked before linger).
func (s *Sizer) Add(rows, bytes int) Reason {
	if s.rows == 0 && s.start.IsZero() {
		s.start = time.Now()
	}
	s.rows += rows
	s.bytes += bytes
	return s.Full()
}

// Full says whether the batch is full now.
func (s *Sizer) Full() Reason {
	switch {
	case s.lim.Rows > 0 && s.rows >= s.lim.Rows:
		return FullRows
	case s.lim.Bytes > 0 && s.bytes >= s.lim.Bytes:
		return FullBytes
	case s.lim.Linger > 0 && !s.start.IsZero() && time.Since(s.start) >= s.lim.Linger:
		return FullLinger
	}
	return NotFull
}

// Wait is how long until linger closes the batch: zero when it already has,
// and ok false when nothing lingers (an empty batch, or no Linger limit). An
// engine loop sets its timer from it.
func (s *Sizer) Wait() (d time.Duration, ok bool) {
	if s.lim.Linger <= 0 || s.start.IsZero() {
		return 0, false
	}
	return max(0, s.lim.Linger-time.Since(s.start)), true
}

// Rows is the number of records in the batch so far.
func (s *Sizer) Rows() int { return s.rows }

// Bytes is the size of the records in the batch so far.
func (s *Sizer) Bytes() int { return s.bytes }

// Reset empties the batch.
func (s *Sizer) Reset() { s.rows, s.bytes, s.start = 0, 0, time.Time{} }

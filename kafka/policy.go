package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Action is what an [ErrorPolicy] finally does with a bad record.
type Action string

// Actions.
const (
	// Fail stops: Poll returns the error and keeps returning it, nothing of
	// the failed batch is committed, and a restarted source meets the same
	// record again. The default.
	Fail Action = "fail"
	// Skip drops the record (it stays listed in Batch.Errors and counted in
	// the metrics) and goes on; its offset is committed with the batch.
	Skip Action = "skip"
	// DeadLetter produces the record to ErrorPolicy.DeadLetterTopic with
	// headers naming the error and source (see [DeadLetterHeaders]) and goes
	// on once the broker acknowledged it. A dead-letter produce that fails is
	// an error from Poll, like Fail.
	DeadLetter Action = "dead_letter"
)

// ErrorPolicy says what happens to records that do not decode (on a Source)
// or rows that do not encode (on a Sink). Retries come first: the whole
// decode is tried again after Backoff, doubling up to MaxBackoff, which helps
// when the cause is outside the record (a schema registered late). When
// retries are used up, Action applies.
//
// A registry outage (the registry unreachable, timing out, answering 5xx or
// 429 for a schema not seen before) is not a bad record and Action never
// applies to it: the records before the one that needs the registry (other
// partitions' records first, where the batch holds any) are handed out, that
// record and the rest of the batch are fetched again, and the attempt is
// retried after the same backoff, up to OutageRetries times. Then Poll
// returns a *RegistryOutageError.
type ErrorPolicy struct {
	// Action after retries (default Fail).
	Action Action
	// Retries of the decode before Action applies (default 0).
	Retries int
	// OutageRetries bounds the retries of a record waiting for an
	// unreachable registry. Zero means the larger of Retries and
	// DefaultOutageRetries (about half a minute with the default backoff),
	// so a short registry restart needs no configuration; negative means
	// none: the first outage is an error from Poll.
	OutageRetries int
	// Backoff before the first retry (default 100ms), doubled each retry up
	// to MaxBackoff (default 5s).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// DeadLetterTopic receives dead-lettered records; required with
	// DeadLetter.
	DeadLetterTopic string
}

// DefaultOutageRetries is how many times a record waiting for an unreachable
// registry is retried when ErrorPolicy.OutageRetries is zero: with the
// default backoff (100ms doubling to 5s) the waits add up to 26.3s, plus the
// registry client's own retries within each attempt.
const DefaultOutageRetries = 10

// Convenience policies.
var (
	FailPolicy = ErrorPolicy{Action: Fail}
	SkipPolicy = ErrorPolicy{Action: Skip}
)

// DeadLetterPolicy dead-letters bad records to topic.
func DeadLetterPolicy(topic string) ErrorPolicy {
	return ErrorPolicy{Action: DeadLetter, DeadLetterTopic: topic}
}

// RetryPolicy retries n times with backoff starting at backoff, then applies
// then.
func RetryPolicy(n int, backoff time.Duration, then ErrorPolicy) ErrorPolicy {
	then.Retries, then.Backoff = n, backoff
	return then
}

func (p ErrorPolicy) action() Action {
	if p.Action == "" {
		return Fail
	}
	return p.Action
}

// outageRetries is the number of retries for a record that waits for the
// registry.
func (p ErrorPolicy) outageRetries() int {
	switch {
	case p.OutageRetries < 0:
		return 0
	case p.OutageRetries > 0:
		return p.OutageRetries
	}
	return max(p.Retries, DefaultOutageRetries)
}

func (p ErrorPolicy) validate(source bool) []error {
	var errs []error
	switch p.action() {
	case Fail, Skip:
	case DeadLetter:
		if !source {
			errs = append(errs, errors.New("kafka: OnError dead_letter applies to a Source (a row that did not encode has no original bytes); use fail or skip"))
		} else if p.DeadLetterTopic == "" {
			errs = append(errs, errors.New("kafka: OnError dead_letter needs a DeadLetterTopic"))
		}
	default:
		errs = append(errs, fmt.Errorf("kafka: unknown OnError action %q (want fail, skip or dead_letter)", p.Action))
	}
	if p.DeadLetterTopic != "" && p.action() != DeadLetter {
		errs = append(errs, fmt.Errorf("kafka: OnError.DeadLetterTopic is set but the action is %q", p.action()))
	}
	nonNegative(&errs, "OnError.Retries", p.Retries)
	if p.Retries > 0 && !source {
		errs = append(errs, errors.New("kafka: OnError.Retries applies to a Source (encoding a row again gives the same answer)"))
	}
	if p.OutageRetries != 0 && !source {
		errs = append(errs, errors.New("kafka: OnError.OutageRetries applies to a Source (a Sink's registry calls retry in the registry client)"))
	}
	nonNegative(&errs, "OnError.Backoff", p.Backoff)
	nonNegative(&errs, "OnError.MaxBackoff", p.MaxBackoff)
	if p.Backoff > 0 && p.MaxBackoff > 0 && p.MaxBackoff < p.Backoff {
		errs = append(errs, fmt.Errorf("kafka: OnError.MaxBackoff (%v) is below OnError.Backoff (%v)", p.MaxBackoff, p.Backoff))
	}
	return errs
}

// backoff returns the wait before retry number try (0-based).
func (p ErrorPolicy) backoff(try int) time.Duration {
	b, maxB := p.Backoff, p.MaxBackoff
	if b == 0 {
		b = 100 * time.Millisecond
	}
	if maxB == 0 {
		maxB = 5 * time.Second
	}
	for i := 0; i < try && b < maxB; i++ {
		b *= 2
	}
	return min(b, maxB)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package kafka

import (
	"errors"
	"fmt"

	"github.com/sabot-kafka/sabot/decode"
)

// ErrClosed is returned by calls on a closed Source, Sink or Transactor.
var ErrClosed = errors.New("kafka: closed")

// ErrNotTransactional is returned by transaction calls on a Sink without a
// TransactionalID.
var ErrNotTransactional = errors.New("kafka: sink has no TransactionalID")

// DecodeError is a record that did not decode under the Fail policy (or after
// its retries). The Source stops: every later Poll returns it.
type DecodeError struct {
	decode.RecordError
}

func (e *DecodeError) Error() string { return "kafka: " + e.RecordError.Error() }

// Unwrap returns the record's error.
func (e *DecodeError) Unwrap() error { return &e.RecordError }

// DeadLetterError is a dead-letter produce that failed. The Source stops as
// with Fail: nothing of the batch is committed.
type DeadLetterError struct {
	Topic  string // the dead-letter topic
	Source decode.RecordError
	Err    error
}

func (e *DeadLetterError) Error() string {
	return fmt.Sprintf("kafka: dead-lettering %s/%d@%d to %s: %v", e.Source.Topic, e.Source.Partition, e.Source.Offset, e.Topic, e.Err)
}

// Unwrap returns the produce error.
func (e *DeadLetterError) Unwrap() error { return e.Err }

// ProduceError is a record the broker (or the client, after its retries
// or at its DeliveryTimeout) refused. errors.Is matches its cause and the
// cause's kind: ErrDeliveryTimeout, ErrAuthentication, ErrAuthorization,
// ErrTLS, ErrTopicNotFound, ErrInvalidConfig or ErrUnreachable.
type ProduceError struct {
	Topic     string
	Partition int32
	// Index of the record in the call (0 for Send, the row for
	// SendRecordBatch).
	Index int
	Err   error
}

func (e *ProduceError) Error() string {
	return fmt.Sprintf("kafka: producing record %d to %s/%d: %v", e.Index, e.Topic, e.Partition, e.Err)
}

// Unwrap returns the cause.
func (e *ProduceError) Unwrap() error { return e.Err }

// Is reports whether target is the kind of the cause.
func (e *ProduceError) Is(target error) bool {
	k := classify(e.Err).kind
	return k != nil && k == target
}

// EncodeError is a row that did not encode under the Fail policy; nothing of
// the batch was produced.
type EncodeError struct {
	Row int
	Err error
}

func (e *EncodeError) Error() string { return fmt.Sprintf("kafka: encoding row %d: %v", e.Row, e.Err) }

// Unwrap returns the cause.
func (e *EncodeError) Unwrap() error { return e.Err }

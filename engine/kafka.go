package engine

import (
	"context"
	"errors"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/kafka"
)

// ValidateKafka reports, without connecting, every problem with a
// Kafka-to-Kafka pipeline's configuration at once: the source's and the
// sink's fields, their codecs and the run options. A sink with a
// TransactionalID is checked as the exactly-once pipeline (NewTransactor's
// rules, FromTransactor's options); any other as FromKafka…ToKafka. The
// constructors check the same and connect; this is for checking a whole
// configuration before anything is opened.
func ValidateKafka(src kafka.SourceConfig, sink kafka.SinkConfig, o RunOptions) error {
	var errs []error
	exactlyOnce := sink.TransactionalID != ""
	if exactlyOnce {
		errs = append(errs, kafka.ValidateTransactor(sink, &src))
	} else {
		errs = append(errs, src.Validate(), sink.Validate())
	}
	errs = append(errs, o.validate(exactlyOnce)...)
	return errors.Join(errs...)
}

// validate reports every problem with the pipeline's shape and options at
// once.
func (p *Pipeline) validate() error {
	var errs []error
	if p.stream.source == nil {
		errs = append(errs, errors.New("engine: a pipeline needs a source"))
	}
	if p.sink == nil {
		errs = append(errs, errors.New("engine: a pipeline needs a sink"))
	}
	errs = append(errs, p.opts.validate(p.stream.tx != nil)...)
	if tx := p.stream.tx; tx != nil {
		if tx.Source() == nil {
			errs = append(errs, errors.New("engine: FromTransactor needs a Transactor opened with a Source"))
		}
		if p.kafkaSink != tx.Sink() {
			errs = append(errs, errors.New("engine: a FromTransactor stream ends at ToKafka(tx.Sink()): rows written elsewhere would be outside its transactions"))
		}
	}
	return errors.Join(errs...)
}

// kafkaSource reads a kafka.Source (FromKafka, FromTransactor): each Poll is
// a batch, and a batch is marked Done (its offsets become committable, or
// belong to the open transaction) once the sink acknowledged it.
type kafkaSource struct {
	poll  func(context.Context) (*kafka.Batch, error)
	src   *kafka.Source
	close func() error
}

func (k *kafkaSource) Next(ctx context.Context) (*Batch, error) {
	for {
		kb, err := k.poll(ctx)
		if err != nil {
			return nil, err
		}
		if kb.Len() == 0 {
			kb.Done()
			continue
		}
		return fromKafkaBatch(kb), nil
	}
}

// fromKafkaBatch wraps a kafka.Batch. The Arrow batches are Retained: the
// kafka.Batch releases its own when Done.
func fromKafkaBatch(kb *kafka.Batch) *Batch {
	b := &Batch{
		Records:   make([]arrow.RecordBatch, len(kb.Result.Batches)),
		Rejects:   len(kb.Result.Errors),
		InRecords: kb.Len(),
		Token:     kb,
	}
	for i, r := range kb.Result.Batches {
		r.Retain()
		b.Records[i] = r
	}
	for _, r := range kb.Records {
		b.InBytes += int64(len(r.Value))
	}
	return b
}

func (k *kafkaSource) Commit(_ context.Context, b *Batch) error {
	b.Token.(*kafka.Batch).Done()
	return nil
}

func (k *kafkaSource) Close() error { return k.close() }

// Lag is the source's consumer lag summed over its partitions.
func (k *kafkaSource) Lag() int64 {
	var lag int64
	for _, l := range k.src.Metrics().Lag {
		lag += l
	}
	return lag
}

// kafkaTxnSource is the exactly-once source: batches commit by transaction.
// A transaction left open when the pipeline stops is aborted by the
// Transactor's Close.
type kafkaTxnSource struct {
	kafkaSource
	tx *kafka.Transactor
}

func (k *kafkaTxnSource) EndTxn(ctx context.Context) (bool, error) { return k.tx.Commit(ctx) }

// kafkaSink writes through a kafka.Sink: each record batch is encoded with the
// sink's codec and produced; the batch is acknowledged when every record is.
type kafkaSink struct{ sink *kafka.Sink }

func (k *kafkaSink) Write(ctx context.Context, recs []arrow.RecordBatch, done func(error)) error {
	if len(recs) == 0 {
		done(nil)
		return nil
	}
	// Keys alias the Arrow buffers until the broker acknowledges, so hold a
	// reference per batch until then.
	var (
		mu      sync.Mutex
		first   error
		pending = len(recs)
	)
	for _, r := range recs {
		r.Retain()
		k.sink.SendAsync(ctx, r, func(err error) {
			r.Release()
			mu.Lock()
			if err != nil && first == nil {
				first = err
			}
			pending--
			last := pending == 0
			mu.Unlock()
			if last {
				done(first)
			}
		})
	}
	return nil
}

func (k *kafkaSink) Flush(ctx context.Context) error { return k.sink.Flush(ctx) }

func (k *kafkaSink) Close() error { return k.sink.Close() }

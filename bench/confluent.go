//go:build cgo

package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
	ckjsonschema "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/jsonschema"
	ckprotobuf "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/sabot-kafka/sabot/bench/internal/txpb"
	"github.com/sabot-kafka/sabot/codec"
)

// confluent-kafka-go (librdkafka through cgo) with its Schema Registry
// serdes, the other client Go programs use today: values deserialized into
// the struct with avrov2 (hamba underneath), protobuf (into the generated
// type) or jsonschema (encoding/json underneath, unvalidated: see
// newCKSerde), one message per Poll, one Produce per record with delivery
// reports.

const confluentImpl = "confluent"

func confluentScenarios(kind string, g *groupData, s *site, _ string, n int) ([]*scenario, string) {
	switch format(g.ds.Format).(type) {
	case codec.Avro, codec.Protobuf:
	case codec.JSONSchema:
		if kind != KindConsume {
			// Its serializer validates the Go value it is given and takes
			// only generic JSON (maps), not the struct.
			return nil, ""
		}
	default:
		return nil, ""
	}
	var p prepFunc
	switch kind {
	case KindProduce:
		p = produceConfluent(s, n)
	case KindConsume:
		p = consumeConfluent(s, n)
	case KindPipeline:
		p = pipelineConfluent(s, n)
	default:
		return nil, ""
	}
	return []*scenario{{kind: kind, impl: confluentImpl, role: RoleConfluent, ds: g.ds, prep: p}}, ""
}

// ckSerde is the serdes pair for the dataset's format, as a txLib.
type ckSerde struct {
	topic string
	ser   serde.Serializer
	deser interface {
		DeserializeInto(topic string, payload []byte, msg any) error
	}
}

func (c *ckSerde) decode(v []byte, tx *Transaction) error {
	return c.deser.DeserializeInto(c.topic, v, tx)
}
func (c *ckSerde) appendEncode(dst []byte, tx *Transaction) ([]byte, error) {
	b, err := c.ser.Serialize(c.topic, tx)
	return append(dst, b...), err
}

func newCKSerde(ds *Dataset, registryURL string) (txLib, error) {
	cl, err := schemaregistry.NewClient(schemaregistry.NewConfig(registryURL))
	if err != nil {
		return nil, fmt.Errorf("confluent registry client: %w", err)
	}
	c := &ckSerde{topic: ds.regTopic}
	switch format(ds.Format).(type) {
	case codec.Avro:
		sconf := avrov2.NewSerializerConfig()
		sconf.AutoRegisterSchemas, sconf.UseLatestVersion = false, true
		if c.ser, err = avrov2.NewSerializer(cl, serde.ValueSerde, sconf); err != nil {
			return nil, err
		}
		if c.deser, err = avrov2.NewDeserializer(cl, serde.ValueSerde, avrov2.NewDeserializerConfig()); err != nil {
			return nil, err
		}
	case codec.JSONSchema:
		// Its validation runs on the decoded value and accepts only generic
		// JSON (maps), not a struct: into a struct it decodes unvalidated.
		dconf := ckjsonschema.NewDeserializerConfig()
		if c.deser, err = ckjsonschema.NewDeserializer(cl, serde.ValueSerde, dconf); err != nil {
			return nil, err
		}
	case codec.Protobuf:
		sconf := ckprotobuf.NewSerializerConfig()
		sconf.AutoRegisterSchemas, sconf.UseLatestVersion = false, true
		ser, err := ckprotobuf.NewSerializer(cl, serde.ValueSerde, sconf)
		if err != nil {
			return nil, err
		}
		deser, err := ckprotobuf.NewDeserializer(cl, serde.ValueSerde, ckprotobuf.NewDeserializerConfig())
		if err != nil {
			return nil, err
		}
		deser.ProtoRegistry = protoregistry.GlobalTypes
		return &ckProto{topic: ds.regTopic, ser: ser, deser: deser}, nil
	default:
		return nil, fmt.Errorf("no confluent serde for %s", ds.Format)
	}
	return c, nil
}

// ckProto is the Protobuf serdes, which take the generated message type.
type ckProto struct {
	topic string
	ser   *ckprotobuf.Serializer
	deser *ckprotobuf.Deserializer
	msg   txpb.Transaction
}

func (c *ckProto) decode(v []byte, tx *Transaction) error {
	if err := c.deser.DeserializeInto(c.topic, v, &c.msg); err != nil {
		return err
	}
	m := &c.msg
	tx.ID, tx.UserID, tx.Amount, tx.Currency, tx.TS, tx.OK, tx.Note = m.Id, m.UserId, m.Amount, m.Currency, m.Ts, m.Ok, m.Note
	return nil
}

func (c *ckProto) appendEncode(dst []byte, tx *Transaction) ([]byte, error) {
	m := &c.msg
	m.Id, m.UserId, m.Amount, m.Currency, m.Ts, m.Ok, m.Note = tx.ID, tx.UserID, tx.Amount, tx.Currency, tx.TS, tx.OK, tx.Note
	b, err := c.ser.Serialize(c.topic, m)
	return append(dst, b...), err
}

// ckConsumer assigns every partition of the site's input topic from the
// start (no group coordination, like the other consumers).
func ckConsumer(s *site) (*ckafka.Consumer, error) {
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{
		"bootstrap.servers":  strings.Join(s.brokers, ","),
		"group.id":           fmt.Sprintf("sabot-bench-ck-%d", time.Now().UnixNano()),
		"auto.offset.reset":  "earliest",
		"enable.auto.commit": false,
		"fetch.wait.max.ms":  int(fetchMaxWait / time.Millisecond),
		"log_level":          3,
	})
	if err != nil {
		return nil, err
	}
	var tps []ckafka.TopicPartition
	for p := int32(0); p < s.env.parts; p++ {
		tps = append(tps, ckafka.TopicPartition{Topic: &s.in, Partition: p, Offset: ckafka.OffsetBeginning})
	}
	if err := c.Assign(tps); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// ckPoll polls c until n messages arrived, handing each value to each.
func ckPoll(c *ckafka.Consumer, n int, each func(v []byte) error) (outcome, error) {
	var o outcome
	for o.records < int64(n) {
		switch e := c.Poll(100).(type) {
		case *ckafka.Message:
			if e.TopicPartition.Error != nil {
				return o, e.TopicPartition.Error
			}
			o.records++
			o.bytes += int64(len(e.Value))
			if err := each(e.Value); err != nil {
				return o, err
			}
		case ckafka.Error:
			if e.IsFatal() || e.Code() == ckafka.ErrAllBrokersDown {
				return o, e
			}
		}
	}
	return o, nil
}

// ckProducer is a producer with the shared settings, counting delivery
// reports.
type ckProducer struct {
	p      *ckafka.Producer
	topic  string
	acked  atomic.Int64
	failed atomic.Pointer[error]
	done   chan struct{}
}

func newCKProducer(ctx context.Context, s *site) (*ckProducer, error) {
	topic, err := s.topic(ctx, "produce")
	if err != nil {
		return nil, err
	}
	comp := s.comp
	if comp == "" {
		comp = "none"
	}
	p, err := ckafka.NewProducer(&ckafka.ConfigMap{
		"bootstrap.servers":            strings.Join(s.brokers, ","),
		"linger.ms":                    int(produceLinger / time.Millisecond),
		"batch.size":                   produceBatchBytes,
		"compression.type":             comp,
		"enable.idempotence":           true,
		"queue.buffering.max.messages": maxBufferedRecs,
		"go.delivery.report.fields":    "none",
		"log_level":                    3,
	})
	if err != nil {
		return nil, err
	}
	cp := &ckProducer{p: p, topic: topic, done: make(chan struct{})}
	go func() {
		defer close(cp.done)
		for ev := range p.Events() {
			if m, ok := ev.(*ckafka.Message); ok {
				if m.TopicPartition.Error != nil {
					err := m.TopicPartition.Error
					cp.failed.CompareAndSwap(nil, &err)
					continue
				}
				cp.acked.Add(1)
			}
		}
	}()
	// The warm-up record (see warmUpValue), delivered before the run.
	if err := cp.produce(warmUpValue); err != nil {
		cp.close()
		return nil, err
	}
	if err := cp.flush(ctx, 1); err != nil {
		cp.close()
		return nil, err
	}
	cp.acked.Store(0)
	return cp, nil
}

// produce hands v to librdkafka, waiting while its queue is full.
func (cp *ckProducer) produce(v []byte) error {
	for {
		err := cp.p.Produce(&ckafka.Message{TopicPartition: ckafka.TopicPartition{Topic: &cp.topic, Partition: ckafka.PartitionAny}, Value: v}, nil)
		var ke ckafka.Error
		if errors.As(err, &ke) && ke.Code() == ckafka.ErrQueueFull {
			time.Sleep(time.Millisecond)
			continue
		}
		return err
	}
}

// flush waits until every message is delivered (or failed) and its report
// counted.
func (cp *ckProducer) flush(ctx context.Context, sent int64) error {
	for cp.p.Flush(100) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	for cp.acked.Load() < sent && cp.failed.Load() == nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	if p := cp.failed.Load(); p != nil {
		return *p
	}
	return nil
}

func (cp *ckProducer) close() {
	cp.p.Close()
	<-cp.done
}

func consumeConfluent(s *site, n int) prepFunc {
	return func(context.Context) (runFunc, func(), error) {
		cs, err := newCKSerde(s.ds, s.env.svc.RegistryURL)
		if err != nil {
			return nil, nil, err
		}
		c, err := ckConsumer(s)
		if err != nil {
			return nil, nil, err
		}
		rc := &txRow{lib: cs}
		b := array.NewRecordBuilder(s.ds.mem, s.ds.Schema)
		run := func(context.Context) (outcome, error) {
			var rows int64
			o, err := ckPoll(c, n, func(v []byte) error {
				if err := rc.decode(v); err != nil {
					return err
				}
				rc.appendArrow(b)
				if b.Field(0).Len() == pollRecords {
					rec := b.NewRecordBatch()
					rows += rec.NumRows()
					rec.Release()
				}
				return nil
			})
			rec := b.NewRecordBatch()
			rows += rec.NumRows()
			rec.Release()
			o.out = rows
			return o, err
		}
		return run, func() { _ = c.Close(); b.Release() }, nil
	}
}

func produceConfluent(s *site, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		cs, err := newCKSerde(s.ds, s.env.svc.RegistryURL)
		if err != nil {
			return nil, nil, err
		}
		cp, err := newCKProducer(ctx, s)
		if err != nil {
			return nil, nil, err
		}
		batches := s.ds.rowsOf(n)
		rc := &txRow{lib: cs}
		run := func(ctx context.Context) (outcome, error) {
			var o outcome
			for _, b := range batches {
				for i := 0; i < int(b.NumRows()); i++ {
					rc.loadArrow(b, i)
					v, err := rc.appendEncode(nil)
					if err != nil {
						return o, err
					}
					if err := cp.produce(v); err != nil {
						return o, err
					}
					o.records++
					o.bytes += int64(len(v))
				}
			}
			err := cp.flush(ctx, o.records)
			o.out = cp.acked.Load()
			return o, err
		}
		return run, func() { cp.close(); releaseAll(batches) }, nil
	}
}

func pipelineConfluent(s *site, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		cs, err := newCKSerde(s.ds, s.env.svc.RegistryURL)
		if err != nil {
			return nil, nil, err
		}
		c, err := ckConsumer(s)
		if err != nil {
			return nil, nil, err
		}
		cp, err := newCKProducer(ctx, s)
		if err != nil {
			_ = c.Close()
			return nil, nil, err
		}
		rc := &txRow{lib: cs}
		run := func(ctx context.Context) (outcome, error) {
			var sent int64
			o, err := ckPoll(c, n, func(v []byte) error {
				if err := rc.decode(v); err != nil {
					return err
				}
				if !rc.keep() {
					return nil
				}
				rc.transform()
				out, err := rc.appendEncode(nil)
				if err != nil {
					return err
				}
				sent++
				return cp.produce(out)
			})
			if err == nil {
				err = cp.flush(ctx, sent)
			}
			o.out = cp.acked.Load()
			return o, err
		}
		return run, func() { _ = c.Close(); cp.close() }, nil
	}
}

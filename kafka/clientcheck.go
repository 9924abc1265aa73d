package kafka

import (
	"context"
	"errors"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The Source's side of the fault handling: its start-up check, its watch
// (fetchwatch.go) and the classification of what a poll brings.

// newWatch makes the Source's watch; its probe uses s.cl, set later.
func (s *Source) newWatch() {
	s.watch = newFetchWatch(s.cfg.FetchErrorTimeout, s.cfg.MissingTopicTimeout, s.probe)
}

// probe asks the cluster about the Source's topics.
func (s *Source) probe(ctx context.Context) error {
	missing, err := metadataTopics(ctx, s.cl, s.cfg.Topics)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return &missingTopicsError{topics: missing}
	}
	return nil
}

// connectCheck is NewSource's start-up check, unless the config skips it.
// seen is the client's connErrors hook.
func (s *Source) connectCheck(seen *connErrors) error {
	if s.cfg.SkipConnectCheck {
		return nil
	}
	return connectCheck{
		client:         "source",
		brokers:        s.cfg.Brokers,
		topics:         s.cfg.Topics,
		timeout:        s.cfg.ConnectTimeout,
		missingTimeout: s.cfg.MissingTopicTimeout,
		seen:           seen,
	}.run(s.cl)
}

// startWatch starts the watch's deadline checks, which end with Close. A
// start-up check passed is evidence of health.
func (s *Source) startWatch() {
	s.watch.ok()
	go s.watch.run(s.closing)
}

// fetched classifies the errors of fs and records the partitions that
// brought records. It returns the verdict when an error ends the Source,
// else the errors not recognised (joined), else nil.
func (s *Source) fetched(fs kgo.Fetches) error {
	var (
		others  []error
		records bool
	)
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		if len(p.Records) > 0 {
			records = true
			s.watch.present(p.Topic)
		}
		if p.Err == nil {
			return
		}
		var fe *FetchError
		if err := s.watch.observe(p.Topic, p.Partition, p.Err); err != nil && !errors.As(err, &fe) {
			others = append(others, err)
		}
	})
	if records {
		s.watch.ok()
	}
	if verdict := s.watch.err(); verdict != nil {
		return verdict
	}
	return errors.Join(others...)
}

// releaseEmptyPoll lets a rebalance go on after a poll that brought no
// records: with BlockRebalanceOnPoll every poll that returns something (an
// error alone too) holds rebalances until AllowRebalance, and a group error
// heals only by rejoining. The rebalance stays held while batches handed out
// are not Done (Poll's own reservation aside).
func (s *Source) releaseEmptyPoll() {
	if !s.group || s.txn {
		return
	}
	s.mu.Lock()
	idle := s.outstanding == 1
	s.mu.Unlock()
	if idle {
		s.cl.AllowRebalance()
	}
}

// sinkConnectCheck is the start-up check of a sink's client (NewSink,
// NewTransactor), unless the config skips it. A client that may create
// topics does not need Topic to exist.
func sinkConnectCheck(cfg SinkConfig, client string, cl *kgo.Client, more []string, seen *connErrors) error {
	if cfg.SkipConnectCheck {
		return nil
	}
	var topics []string
	if auto, _ := cl.OptValue(kgo.AllowAutoTopicCreation).(bool); cfg.Topic != "" && !auto {
		topics = append(topics, cfg.Topic)
	}
	return connectCheck{
		client:         client,
		brokers:        cfg.Brokers,
		topics:         append(topics, more...),
		timeout:        cfg.ConnectTimeout,
		missingTimeout: cfg.MissingTopicTimeout,
		seen:           seen,
	}.run(cl)
}

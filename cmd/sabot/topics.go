package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// partitionsOf lists the partitions of topic.
func partitionsOf(ctx context.Context, cl *kgo.Client, topic string) ([]int32, error) {
	td, err := kadm.NewClient(cl).ListTopics(ctx, topic)
	if err != nil {
		return nil, err
	}
	t, ok := td[topic]
	if !ok || t.Err != nil {
		return nil, fmt.Errorf("topic %q: %w", topic, errors.Join(t.Err, errors.New("not found")))
	}
	return t.Partitions.Numbers(), nil
}

// ensureTopic creates topic with partitions (replication 1 on a one-node
// cluster, else the broker default) when it does not exist.
func ensureTopic(ctx context.Context, cl *kgo.Client, topic string, partitions int32) (created bool, err error) {
	adm := kadm.NewClient(cl)
	resp, err := adm.CreateTopic(ctx, partitions, -1, nil, topic)
	if err == nil {
		err = resp.Err
	}
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, kerr.TopicAlreadyExists):
		return false, nil
	}
	return false, fmt.Errorf("creating topic %q: %w", topic, err)
}

// limitRows returns slices of recs holding at most n rows in total; the caller
// releases them.
func limitRows(recs []arrow.RecordBatch, n int64) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for _, r := range recs {
		if n <= 0 {
			break
		}
		take := min(r.NumRows(), n)
		out = append(out, r.NewSlice(0, take))
		n -= take
	}
	return out
}

package registry_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sabot-kafka/sabot/registry"
)

func TestSubjectNameStrategies(t *testing.T) {
	custom := registry.SubjectNameStrategy(func(topic string, isKey bool, record string) (string, error) {
		return "team." + topic + "." + record, nil
	})
	for _, tc := range []struct {
		name     string
		strategy registry.SubjectNameStrategy
		topic    string
		isKey    bool
		record   string
		want     string
		err      error
	}{
		{"topic value", registry.TopicNameStrategy, "orders", false, "shop.Order", "orders-value", nil},
		{"topic key", registry.TopicNameStrategy, "orders", true, "", "orders-key", nil},
		{"record", registry.RecordNameStrategy, "orders", false, "shop.Order", "shop.Order", nil},
		{"record key", registry.RecordNameStrategy, "orders", true, "shop.OrderKey", "shop.OrderKey", nil},
		{"record without name", registry.RecordNameStrategy, "orders", false, "", "", registry.ErrNoRecordName},
		{"topic-record", registry.TopicRecordNameStrategy, "orders", false, "shop.Order", "orders-shop.Order", nil},
		{"topic-record without name", registry.TopicRecordNameStrategy, "orders", false, "", "", registry.ErrNoRecordName},
		{"user function", custom, "orders", false, "shop.Order", "team.orders.shop.Order", nil},
	} {
		got, err := tc.strategy(tc.topic, tc.isKey, tc.record)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
	if _, err := registry.TopicNameStrategy("", false, ""); err == nil {
		t.Error("topic strategy accepted an empty topic")
	}
}

func TestParseSubjectNameStrategy(t *testing.T) {
	for in, want := range map[string]string{
		"topic": "t-value", "TopicNameStrategy": "t-value", "": "t-value",
		"io.confluent.kafka.serializers.subject.TopicNameStrategy": "t-value",
		"record": "r.R", "RECORD_NAME": "r.R",
		"io.confluent.kafka.serializers.subject.RecordNameStrategy": "r.R",
		"topic_record": "t-r.R", "topic-record": "t-r.R",
		"io.confluent.kafka.serializers.subject.TopicRecordNameStrategy": "t-r.R",
	} {
		s, err := registry.ParseSubjectNameStrategy(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got, _ := s("t", false, "r.R"); got != want {
			t.Errorf("%q named %q, want %q", in, got, want)
		}
	}
	if _, err := registry.ParseSubjectNameStrategy("random"); err == nil {
		t.Error("unknown strategy accepted")
	}
}

func ExampleTopicNameStrategy() {
	value, _ := registry.TopicNameStrategy("orders", false, "shop.Order")
	key, _ := registry.TopicNameStrategy("orders", true, "shop.OrderKey")
	fmt.Println(value, key)
	// Output: orders-value orders-key
}

func ExampleTopicRecordNameStrategy() {
	subject, _ := registry.TopicRecordNameStrategy("events", false, "shop.Refund")
	fmt.Println(subject)
	// Output: events-shop.Refund
}

package registry

import (
	"errors"
	"fmt"
	"strings"
)

// SubjectNameStrategy names the subject a record's schema is registered
// under, from the topic, whether the schema is the key's, and the fully
// qualified name of the record type (Avro full name, Protobuf message full
// name, JSON Schema title). Users may pass their own function.
type SubjectNameStrategy func(topic string, isKey bool, recordName string) (string, error)

// ErrNoRecordName is returned by the strategies that need a record name when
// the schema has none.
var ErrNoRecordName = errors.New("registry: subject name strategy needs a record name")

// TopicNameStrategy is Confluent's default: "{topic}-key" or "{topic}-value".
func TopicNameStrategy(topic string, isKey bool, _ string) (string, error) {
	if topic == "" {
		return "", errors.New("registry: topic name strategy needs a topic")
	}
	if isKey {
		return topic + "-key", nil
	}
	return topic + "-value", nil
}

// RecordNameStrategy names the subject after the record's fully qualified
// name, so one subject serves the type across topics.
func RecordNameStrategy(_ string, _ bool, recordName string) (string, error) {
	if recordName == "" {
		return "", ErrNoRecordName
	}
	return recordName, nil
}

// TopicRecordNameStrategy names the subject "{topic}-{record}", so a topic
// can carry several record types, each evolving on its own.
func TopicRecordNameStrategy(topic string, _ bool, recordName string) (string, error) {
	if topic == "" {
		return "", errors.New("registry: topic-record name strategy needs a topic")
	}
	if recordName == "" {
		return "", ErrNoRecordName
	}
	return topic + "-" + recordName, nil
}

// ParseSubjectNameStrategy returns the strategy a configuration names:
// "topic", "record" or "topic_record" (also "topic-record", "TopicRecord", and
// the Java class names Confluent's serializers use).
func ParseSubjectNameStrategy(name string) (SubjectNameStrategy, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if i := strings.LastIndexByte(n, '.'); i >= 0 {
		n = n[i+1:]
	}
	n = strings.TrimSuffix(n, "strategy")
	n = strings.NewReplacer("_", "", "-", "").Replace(n)
	switch n {
	case "topic", "topicname", "":
		return TopicNameStrategy, nil
	case "record", "recordname":
		return RecordNameStrategy, nil
	case "topicrecord", "topicrecordname":
		return TopicRecordNameStrategy, nil
	}
	return nil, fmt.Errorf("registry: unknown subject name strategy %q (want topic, record or topic_record)", name)
}

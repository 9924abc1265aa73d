package kafka

import (
	"fmt"
	"strings"
)

// Redaction: the types holding a secret (Security's Password, and the
// configs and clients holding a Security) print it as [redacted] with every
// fmt verb: String, GoString and Format all go through the redacted copy.
// A struct field of one of these types printed through an unexported field
// of another type is beyond reach (fmt does not call methods there); the
// Source, Sink and Transactor, whose config is unexported, print a summary
// instead.

const redacted = "[redacted]"

// securityView is Security without methods, so fmt prints its fields.
type securityView Security

func (s Security) redacted() securityView {
	v := securityView(s)
	if v.Password != "" {
		v.Password = redacted
	}
	return v
}

// String prints s with the password redacted.
func (s Security) String() string { return fmt.Sprintf("%+v", s.redacted()) }

// GoString prints s as Go syntax with the password redacted.
func (s Security) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", s.redacted()), "kafka.securityView", "kafka.Security", 1)
}

// Format prints s with the password redacted, for every verb.
func (s Security) Format(f fmt.State, verb rune) { format(f, verb, s.redacted(), s.GoString) }

// sourceConfigView is SourceConfig without methods; its Security field
// still redacts itself.
type sourceConfigView SourceConfig

// String prints c with the password redacted.
func (c SourceConfig) String() string { return fmt.Sprintf("%+v", sourceConfigView(c)) }

// GoString prints c as Go syntax with the password redacted.
func (c SourceConfig) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", sourceConfigView(c)), "kafka.sourceConfigView", "kafka.SourceConfig", 1)
}

// Format prints c with the password redacted, for every verb.
func (c SourceConfig) Format(f fmt.State, verb rune) {
	format(f, verb, sourceConfigView(c), c.GoString)
}

// sinkConfigView is SinkConfig without methods.
type sinkConfigView SinkConfig

// String prints c with the password redacted.
func (c SinkConfig) String() string { return fmt.Sprintf("%+v", sinkConfigView(c)) }

// GoString prints c as Go syntax with the password redacted.
func (c SinkConfig) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", sinkConfigView(c)), "kafka.sinkConfigView", "kafka.SinkConfig", 1)
}

// Format prints c with the password redacted, for every verb.
func (c SinkConfig) Format(f fmt.State, verb rune) { format(f, verb, sinkConfigView(c), c.GoString) }

// format prints view with f's verb and flags; %#v uses goString.
func format(f fmt.State, verb rune, view any, goString func() string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = fmt.Fprint(f, goString())
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), view)
}

// String names the Source by its brokers, topics and group.
func (s *Source) String() string {
	return fmt.Sprintf("kafka.Source{Brokers:%v Topics:%v GroupID:%q}", s.cfg.Brokers, s.cfg.Topics, s.cfg.GroupID)
}

// GoString is String: the config's secrets stay out of %#v too.
func (s *Source) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *Source) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, s.String()) }

// String names the Sink by its brokers and topic.
func (s *Sink) String() string {
	return fmt.Sprintf("kafka.Sink{Brokers:%v Topic:%q TransactionalID:%q}", s.cfg.Brokers, s.cfg.Topic, s.cfg.TransactionalID)
}

// GoString is String.
func (s *Sink) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *Sink) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, s.String()) }

// String names the Transactor by its sink and source.
func (t *Transactor) String() string {
	if t.src == nil {
		return fmt.Sprintf("kafka.Transactor{Sink:%v}", t.sink)
	}
	return fmt.Sprintf("kafka.Transactor{Sink:%v Source:%v}", t.sink, t.src)
}

// GoString is String.
func (t *Transactor) GoString() string { return t.String() }

// Format prints String for every verb.
func (t *Transactor) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, t.String()) }

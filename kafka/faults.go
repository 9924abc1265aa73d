package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Kinds of broker and network failure. The errors of NewSource, NewSink,
// NewTransactor ([*ConnectError]), of Source.Poll ([*FetchError]) and of the
// sink ([*ProduceError]) match these with errors.Is.
var (
	// ErrUnreachable: no broker could be dialled, or connections broke
	// (refused, reset, closed, timed out, unknown host).
	ErrUnreachable = errors.New("kafka: brokers unreachable")
	// ErrAuthentication: SASL authentication failed (wrong user or
	// password, a mechanism the broker does not enable, or SASL missing on
	// a listener that requires it).
	ErrAuthentication = errors.New("kafka: authentication failed")
	// ErrAuthorization: the broker refused access to a topic, group,
	// cluster or transactional id.
	ErrAuthorization = errors.New("kafka: not authorized")
	// ErrTLS: the TLS handshake failed (an untrusted certificate, a server
	// name the certificate does not hold, TLS against a plaintext listener
	// or plaintext against a TLS listener).
	ErrTLS = errors.New("kafka: TLS failed")
	// ErrTopicNotFound: a configured topic does not exist.
	ErrTopicNotFound = errors.New("kafka: topic not found")
	// ErrInvalidConfig: the broker rejected a setting (a session timeout
	// outside its bounds, an invalid group id, an unsupported request).
	ErrInvalidConfig = errors.New("kafka: invalid configuration")
	// ErrDeliveryTimeout: a record was not acknowledged within
	// SinkConfig.DeliveryTimeout.
	ErrDeliveryTimeout = errors.New("kafka: delivery timeout")
	// ErrFetchTimeout: a Source met errors with no successful fetch for
	// longer than SourceConfig.FetchErrorTimeout.
	ErrFetchTimeout = errors.New("kafka: fetch timeout")
)

// kindText is a kind's message without the package prefix, for errors that
// carry a prefix of their own.
func kindText(kind error) string {
	if kind == nil {
		return ""
	}
	return strings.TrimPrefix(kind.Error(), "kafka: ")
}

// faultClass says what a client error means for whoever met it.
type faultClass uint8

const (
	// faultIgnore: not a fault (a context that ended, a closed client).
	faultIgnore faultClass = iota
	// faultTransient: the client retries; it may heal.
	faultTransient
	// faultMissing: a topic is missing; it may be created yet.
	faultMissing
	// faultSuspect: usually a misconfiguration (franz-go's guess of SASL
	// or TLS missing, an unknown host), but a broker going away can look
	// the same. Fatal when it repeats at start, transient later.
	faultSuspect
	// faultFatal: it cannot heal without a change of configuration.
	faultFatal
	// faultUnknown: not recognised; returned to the caller as it is.
	faultUnknown
)

// fault is a classified error: its class and kind (one of the Err
// sentinels above, or nil).
type fault struct {
	class faultClass
	kind  error
}

// Broker error codes by what they mean here.
var (
	authenticationCodes = []*kerr.Error{kerr.SaslAuthenticationFailed, kerr.IllegalSaslState, kerr.UnsupportedSaslMechanism}
	authorizationCodes  = []*kerr.Error{kerr.TopicAuthorizationFailed, kerr.GroupAuthorizationFailed, kerr.ClusterAuthorizationFailed,
		kerr.TransactionalIDAuthorizationFailed, kerr.DelegationTokenAuthorizationFailed}
	invalidConfigCodes = []*kerr.Error{kerr.InvalidConfig, kerr.InvalidSessionTimeout, kerr.InvalidGroupID, kerr.InconsistentGroupProtocol,
		kerr.InvalidTransactionTimeout, kerr.InvalidRequiredAcks, kerr.InvalidTopicException, kerr.UnsupportedVersion,
		kerr.UnsupportedCompressionType, kerr.UnsupportedForMessageFormat, kerr.UnsupportedAssignor, kerr.GroupMaxSizeReached,
		kerr.FencedInstanceID, kerr.SecurityDisabled, kerr.InvalidRegularExpression}
	missingCodes = []*kerr.Error{kerr.UnknownTopicOrPartition, kerr.UnknownTopicID}
	// rejoinCodes are group errors franz-go answers by joining again.
	rejoinCodes = []*kerr.Error{kerr.UnknownMemberID, kerr.IllegalGeneration, kerr.RebalanceInProgress, kerr.FencedMemberEpoch,
		kerr.StaleMemberEpoch, kerr.UnreleasedInstanceID, kerr.MemberIDRequired, kerr.NotCoordinator,
		kerr.CoordinatorNotAvailable, kerr.CoordinatorLoadInProgress}
)

func codeIn(ke *kerr.Error, codes []*kerr.Error) bool {
	for _, c := range codes {
		if ke.Code == c.Code {
			return true
		}
	}
	return false
}

// classify says whether err, met by a client, may heal.
func classify(err error) fault {
	if err == nil {
		return fault{class: faultIgnore}
	}
	if gs, ok := errors.AsType[*kgo.ErrGroupSession](err); ok {
		// franz-go reports the group session's errors and keeps joining:
		// only what cannot heal ends anything.
		f := classify(gs.Err)
		if f.class == faultUnknown {
			f.class = faultTransient
		}
		return f
	}
	if ke, ok := errors.AsType[*kerr.Error](err); ok {
		switch {
		case codeIn(ke, authenticationCodes):
			return fault{faultFatal, ErrAuthentication}
		case codeIn(ke, authorizationCodes):
			return fault{faultFatal, ErrAuthorization}
		case codeIn(ke, invalidConfigCodes):
			return fault{faultFatal, ErrInvalidConfig}
		case codeIn(ke, missingCodes):
			return fault{faultMissing, ErrTopicNotFound}
		case ke.Retriable || codeIn(ke, rejoinCodes):
			return fault{faultTransient, nil}
		}
		return fault{faultUnknown, nil}
	}
	if errors.Is(err, kgo.ErrRecordTimeout) {
		return fault{faultFatal, ErrDeliveryTimeout}
	}
	if isTLSError(err) {
		return fault{faultFatal, ErrTLS}
	}
	msg := err.Error()
	if strings.Contains(msg, "invalid large response size") {
		// franz-go's reading of a size no Kafka response has: a TLS
		// alert (plaintext against a TLS listener) or an HTTP answer.
		if strings.Contains(msg, "tls") {
			return fault{faultFatal, ErrTLS}
		}
		return fault{faultFatal, ErrUnreachable}
	}
	if _, ok := errors.AsType[*kgo.ErrFirstReadEOF](err); ok {
		if strings.Contains(msg, "SASL") {
			return fault{faultSuspect, ErrAuthentication}
		}
		return fault{faultSuspect, ErrTLS}
	}
	if dns, ok := errors.AsType[*net.DNSError](err); ok && dns.IsNotFound {
		return fault{faultSuspect, ErrUnreachable}
	}
	// A context that ended is the caller's doing (context.DeadlineExceeded
	// is a net.Error timeout too), unless a connection met it.
	if _, conn := errors.AsType[*net.OpError](err); !conn &&
		(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, kgo.ErrClientClosed)) {
		return fault{class: faultIgnore}
	}
	if isNetworkError(err) {
		return fault{faultTransient, ErrUnreachable}
	}
	if kgo.IsRetryableBrokerErr(err) {
		return fault{faultTransient, nil}
	}
	return fault{faultUnknown, nil}
}

func isTLSError(err error) bool {
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.AlertError](err); ok {
		return true
	}
	return false
}

func isNetworkError(err error) bool {
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*os.SyscallError](err); ok {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	return false
}

// kindError gives an error the kind classify finds in it, for errors.Is.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// withKind wraps err so errors.Is finds its kind (unchanged when it has
// none).
func withKind(err error) error {
	if err == nil {
		return nil
	}
	if k := classify(err).kind; k != nil && !errors.Is(err, k) {
		return &kindError{kind: k, err: err}
	}
	return err
}

// FetchError ends a Source: Poll returns it, now and on every later call.
// Either the cause cannot heal (Kind is ErrAuthentication, ErrAuthorization,
// ErrTLS or ErrInvalidConfig), a topic stayed missing for longer than
// MissingTopicTimeout (Kind ErrTopicNotFound), or errors persisted with no
// successful fetch for longer than FetchErrorTimeout (TimedOut; errors.Is
// matches ErrFetchTimeout, and Kind names what the last error was, e.g.
// ErrUnreachable).
type FetchError struct {
	// Topic and Partition the error was about ("" and -1 when it was about
	// none, as for a group or connection error).
	Topic     string
	Partition int32
	// Kind is one of the Err sentinels of this package, or nil.
	Kind error
	// Err is the cause: the last error met.
	Err error
	// TimedOut reports that FetchErrorTimeout ended the Source.
	TimedOut bool
	// Persisted is how long the errors (or the missing topic) lasted.
	Persisted time.Duration
}

func (e *FetchError) Error() string {
	var b strings.Builder
	b.WriteString("kafka: source")
	switch {
	case e.Topic != "" && e.Partition >= 0:
		fmt.Fprintf(&b, ": fetching %s/%d", e.Topic, e.Partition)
	case e.Topic != "":
		fmt.Fprintf(&b, ": topic %q", e.Topic)
	}
	if e.TimedOut {
		fmt.Fprintf(&b, ": no successful fetch for %v (FetchErrorTimeout)", e.Persisted.Round(time.Millisecond))
	}
	if k := kindText(e.Kind); k != "" {
		b.WriteString(": " + k)
		if !e.TimedOut && e.Persisted > 0 {
			fmt.Fprintf(&b, " for %v (MissingTopicTimeout)", e.Persisted.Round(time.Millisecond))
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the kind, ErrFetchTimeout when TimedOut, and the cause.
func (e *FetchError) Unwrap() []error {
	out := make([]error, 0, 3)
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.TimedOut {
		out = append(out, ErrFetchTimeout)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// missingTopicsError is a metadata answer naming topics that do not exist.
type missingTopicsError struct{ topics []string }

func (e *missingTopicsError) Error() string {
	return fmt.Sprintf("the cluster has no topic %s", strings.Join(quoteAll(e.topics), ", "))
}

func (e *missingTopicsError) Unwrap() error { return kerr.UnknownTopicOrPartition }

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
)

func runTopic(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	subs := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"create":   topicCreate,
		"list":     topicList,
		"describe": topicDescribe,
		"delete":   topicDelete,
	}
	if len(args) > 0 {
		if f, ok := subs[args[0]]; ok {
			return f(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, `usage: sabot topic <create|list|describe|delete> [flags] [NAME...]

  create    create topics (partitions, replication, configs)
  list      list the cluster's topics with their partition and replica counts
  describe  print topics' partitions (leader, replicas, in-sync replicas) and the configs set on them
  delete    delete topics

Run 'sabot topic <command> -help' for flags and examples.`)
	if len(args) == 0 || args[0] == "-help" || args[0] == "-h" || args[0] == "help" {
		return nil
	}
	return errUsage
}

// parseNames parses flags and at least one topic name; flags may follow
// names (create NAME -partitions 3), and names after "--" are names even
// when they start with a dash.
func parseNames(fs *flag.FlagSet, args []string) ([]string, error) {
	var names []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			names = append(names, rest...)
			break
		}
		names, args = append(names, rest[0]), rest[1:]
	}
	if len(names) == 0 {
		fmt.Fprintln(fs.Output(), "name at least one topic after the flags")
		fs.Usage()
		return nil, errUsage
	}
	return names, nil
}

// adminClient returns an admin client on brokers and its closer. It opens a
// sink without a topic, which checks that the brokers answer.
func adminClient(brokers []string) (*kadm.Client, func(), error) {
	s, err := kafka.NewSink(kafka.SinkConfig{Brokers: brokers})
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(s.Client()), func() { _ = s.Close() }, nil
}

// namesAndAdmin parses flags and topic names, then opens an admin client on
// -brokers.
func namesAndAdmin(fs *flag.FlagSet, conn connFlags, args []string) ([]string, *kadm.Client, func(), error) {
	names, err := parseNames(fs, args)
	if err != nil {
		return nil, nil, nil, err
	}
	adm, closeAdm, err := adminClient(services.SplitList(*conn.brokers))
	if err != nil {
		return nil, nil, nil, err
	}
	return names, adm, closeAdm, nil
}

// configFlag collects repeated -config key=value flags.
type configFlag map[string]*string

func (c configFlag) String() string { return "" }

func (c configFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	c[k] = &val
	return nil
}

func topicCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("topic create", "Creates topics. Partitions and replication default to the cluster's defaults\n"+
		"(num.partitions and default.replication.factor; sabot dev -partitions).",
		`  sabot topic create orders
  sabot topic create -partitions 6 -replication 1 -config cleanup.policy=compact -config retention.ms=86400000 accounts
  sabot topic create -if-not-exists orders-dlq
`, stderr)
	conn := addConnFlags(fs)
	partitions := fs.Int("partitions", -1, "partitions (-1: the cluster's default)")
	replication := fs.Int("replication", -1, "replication factor (-1: the cluster's default)")
	configs := configFlag{}
	fs.Var(configs, "config", "topic config key=value (repeatable), e.g. cleanup.policy=compact")
	ifNotExists := fs.Bool("if-not-exists", false, "succeed when a topic exists already")
	names, err := parseNames(fs, args)
	if err != nil {
		return err
	}
	if *partitions == 0 || *partitions < -1 || *partitions > math.MaxInt32 {
		return fmt.Errorf("bad -partitions %d (want -1 or a positive count)", *partitions)
	}
	if *replication == 0 || *replication < -1 || *replication > math.MaxInt16 {
		return fmt.Errorf("bad -replication %d (want -1 or a positive count)", *replication)
	}
	adm, closeAdm, err := adminClient(services.SplitList(*conn.brokers))
	if err != nil {
		return err
	}
	defer closeAdm()
	resps, err := adm.CreateTopics(ctx, int32(*partitions), int16(*replication), configs, names...) // #nosec G115 -- range checked above
	if err != nil {
		return fmt.Errorf("creating topics: %w", err)
	}
	var errs []error
	for _, r := range resps.Sorted() {
		switch {
		case r.Err == nil:
			fmt.Fprintf(stdout, "created topic %s: %s, replication %d\n", r.Topic, plural(int(r.NumPartitions), "partition"), r.ReplicationFactor)
		case errors.Is(r.Err, kerr.TopicAlreadyExists) && *ifNotExists:
			fmt.Fprintf(stdout, "topic %s exists\n", r.Topic)
		default:
			errs = append(errs, fmt.Errorf("topic %s: %w%s", r.Topic, r.Err, detail(r.ErrMessage)))
		}
	}
	return errors.Join(errs...)
}

// detail is a broker's error message, set off for appending to an error.
func detail(msg string) string {
	if msg == "" {
		return ""
	}
	return " (" + msg + ")"
}

func topicList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("topic list", "Lists the cluster's topics with their partition counts and replication factors.",
		`  sabot topic list
  sabot topic list -internal
`, stderr)
	conn := addConnFlags(fs)
	internal := fs.Bool("internal", false, "include internal topics (__consumer_offsets, ...)")
	if err := parse(fs, args); err != nil {
		return err
	}
	adm, closeAdm, err := adminClient(services.SplitList(*conn.brokers))
	if err != nil {
		return err
	}
	defer closeAdm()
	list := adm.ListTopics
	if *internal {
		list = adm.ListTopicsWithInternal
	}
	td, err := list(ctx)
	if err != nil {
		return fmt.Errorf("listing topics: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPARTITIONS\tREPLICATION")
	for _, t := range td.Sorted() {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", t.Topic, len(t.Partitions), t.Partitions.NumReplicas())
	}
	return tw.Flush()
}

func topicDescribe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("topic describe", "Prints each topic's partitions (leader, replicas, in-sync replicas) and the\n"+
		"configs set on the topic itself (not the broker defaults).",
		`  sabot topic describe orders
  sabot topic describe orders accounts
`, stderr)
	names, adm, closeAdm, err := namesAndAdmin(fs, addConnFlags(fs), args)
	if err != nil {
		return err
	}
	defer closeAdm()
	td, err := adm.ListTopics(ctx, names...)
	if err != nil {
		return fmt.Errorf("describing topics: %w", err)
	}
	rcs, cerr := adm.DescribeTopicConfigs(ctx, names...)
	var errs []error
	for i, name := range names {
		t, ok := td[name]
		if !ok || t.Err != nil {
			errs = append(errs, fmt.Errorf("topic %s: %w", name, errors.Join(t.Err, errors.New("not found"))))
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "topic %s: %s, replication %d\n", name, plural(len(t.Partitions), "partition"), t.Partitions.NumReplicas())
		if cerr == nil {
			if rc, err := rcs.On(name, nil); err == nil && rc.Err == nil {
				for _, c := range rc.Configs {
					if c.Source != kmsg.ConfigSourceDynamicTopicConfig {
						continue
					}
					v := c.MaybeValue()
					if c.Sensitive {
						v = "(sensitive)"
					}
					fmt.Fprintf(stdout, "config %s=%s\n", c.Key, v)
				}
			}
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PARTITION\tLEADER\tREPLICAS\tISR")
		for _, p := range t.Partitions.Sorted() {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", p.Partition, p.Leader, ints(p.Replicas), ints(p.ISR))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

func ints(v []int32) string {
	v = slices.Sorted(slices.Values(v))
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ",")
}

func topicDelete(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("topic delete", "Deletes topics and their records.",
		`  sabot topic delete orders-old
`, stderr)
	names, adm, closeAdm, err := namesAndAdmin(fs, addConnFlags(fs), args)
	if err != nil {
		return err
	}
	defer closeAdm()
	resps, err := adm.DeleteTopics(ctx, names...)
	if err != nil {
		return fmt.Errorf("deleting topics: %w", err)
	}
	var errs []error
	for _, r := range resps.Sorted() {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("topic %s: %w%s", r.Topic, r.Err, detail(r.ErrMessage)))
			continue
		}
		fmt.Fprintf(stdout, "deleted topic %s\n", r.Topic)
	}
	return errors.Join(errs...)
}

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

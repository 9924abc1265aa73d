package main

import (
	"strings"
	"testing"
	"time"
)

func TestTopicCommands(t *testing.T) {
	c := openCluster(t)
	name := c.topic(t)
	other := c.topic(t)

	// Flags may come before or after the names.
	code, stdout, stderr := c.run(t, "topic", "create", "-partitions", "6", "-replication", "1", "-config", "cleanup.policy=compact",
		"-config", "retention.ms=86400000", name)
	if code != 0 || !strings.Contains(stdout, "created topic "+name+": 6 partitions, replication 1") {
		t.Fatalf("create: exit %d: %q %s", code, stdout, stderr)
	}
	if code, stdout, stderr = sabot(t, "topic", "create", other, "-partitions", "2", c.conn[0], c.conn[1]); code != 0 ||
		!strings.Contains(stdout, "created topic "+other+": 2 partitions") {
		t.Fatalf("create with flags after the name: exit %d: %q %s", code, stdout, stderr)
	}
	if code, _, stderr = c.run(t, "topic", "create", name); code != 1 || !strings.Contains(stderr, "TOPIC_ALREADY_EXISTS") {
		t.Fatalf("create again: exit %d: %s", code, stderr)
	}
	if code, stdout, _ = c.run(t, "topic", "create", "-if-not-exists", name); code != 0 || !strings.Contains(stdout, "topic "+name+" exists") {
		t.Fatalf("create -if-not-exists: exit %d: %q", code, stdout)
	}

	// A broker's metadata catches up with the controller shortly after a
	// create or delete returns, so the listings are awaited.
	eventually(t, "list", func() (bool, string) {
		code, stdout, stderr := c.run(t, "topic", "list")
		return code == 0 && hasLine(stdout, name, "6", "1") && hasLine(stdout, other, "2", "1") && strings.HasPrefix(stdout, "TOPIC"), stdout + stderr
	})
	eventually(t, "describe", func() (bool, string) {
		code, stdout, stderr := c.run(t, "topic", "describe", name)
		return code == 0 && strings.Contains(stdout, "topic "+name+": 6 partitions, replication 1") &&
			strings.Contains(stdout, "config cleanup.policy=compact") && strings.Contains(stdout, "config retention.ms=86400000") &&
			hasLine(stdout, "5"), stdout + stderr
	})
	if code, _, stderr = c.run(t, "topic", "describe", name+"-nope"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Fatalf("describe a missing topic: exit %d: %s", code, stderr)
	}

	if code, stdout, stderr = c.run(t, "topic", "delete", name, other); code != 0 ||
		!strings.Contains(stdout, "deleted topic "+name) || !strings.Contains(stdout, "deleted topic "+other) {
		t.Fatalf("delete: exit %d: %q %s", code, stdout, stderr)
	}
	eventually(t, "list after delete", func() (bool, string) {
		_, stdout, _ := c.run(t, "topic", "list")
		return !strings.Contains(stdout, name), stdout
	})

	for _, args := range [][]string{{"topic", "create"}, {"topic", "create", "-partitions", "0", "x"}, {"topic", "nope"}} {
		if code, _, stderr := c.run(t, args...); code == 0 {
			t.Errorf("%v: exit 0: %s", args, stderr)
		}
	}
}

// eventually calls check until it holds, for up to 15 seconds.
func eventually(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, out := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// hasLine reports whether text has a line whose first fields are want.
func hasLine(text string, want ...string) bool {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) >= len(want) && strings.Join(f[:len(want)], " ") == strings.Join(want, " ") {
			return true
		}
	}
	return false
}

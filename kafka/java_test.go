package kafka_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/services"
)

// runJava runs testdata/kafka/KafkaCheck.java with the Kafka jars of the
// rig and returns its standard output. Without SABOT_KAFKA_LIBS the test is
// skipped, or fails when the run demands the real services.
func runJava(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	libs := os.Getenv("SABOT_KAFKA_LIBS")
	if libs == "" {
		if os.Getenv(services.EnvRequireReal) == "1" {
			t.Fatal("SABOT_KAFKA_LIBS is unset; the Java cross-check needs the kafka-clients jar")
		}
		t.Skip("SABOT_KAFKA_LIBS is unset; run `make test` or eval \"$(make -s rig-env)\"")
	}
	src, err := filepath.Abs(filepath.Join("..", "testdata", "kafka", "KafkaCheck.java"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("java", append([]string{"-cp", filepath.Join(libs, "*"), src}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("java %s: %v\n%s", strings.Join(args, " "), err, tail(errb.String(), 3000))
	}
	return out.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

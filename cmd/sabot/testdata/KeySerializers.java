// Prints, for each decimal argument, the hex bytes Kafka's LongSerializer
// and IntegerSerializer (when the value fits an int) write for it, and the
// values LongDeserializer and IntegerDeserializer read back from them:
//
//	<value> <long hex> <long read back> <int hex or -> <int read back or ->
//
// Run with the kafka-clients jar on the class path (java's source-file mode).
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;

public class KeySerializers {
    public static void main(String[] args) {
        try (LongSerializer ls = new LongSerializer(); LongDeserializer ld = new LongDeserializer();
             IntegerSerializer is = new IntegerSerializer(); IntegerDeserializer id = new IntegerDeserializer()) {
            for (String a : args) {
                long v = Long.parseLong(a);
                byte[] l = ls.serialize("t", v);
                StringBuilder out = new StringBuilder(a).append(' ').append(hex(l)).append(' ').append(ld.deserialize("t", l));
                if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    byte[] i = is.serialize("t", (int) v);
                    out.append(' ').append(hex(i)).append(' ').append(id.deserialize("t", i));
                } else {
                    out.append(" - -");
                }
                System.out.println(out);
            }
        }
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}

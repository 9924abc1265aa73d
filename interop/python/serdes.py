"""The Python side of the cross-language tests (python_test.go runs it).

confluent-kafka-python's Schema Registry serdes write and read the values
defined here, for Avro, Protobuf and JSON Schema; pyarrow builds and checks
the Arrow form of the same values. The Go test moves them through Sabot:

  serdes.py produce FORMAT BROKERS REGISTRY TOPIC
      serialize the values and produce them to partition 0 of TOPIC
  serdes.py check-arrow FORMAT FILE
      FILE is the Arrow IPC file of what Sabot decoded from them: its schema
      and every value must be the expected ones
  serdes.py write-arrow FORMAT FILE
      write the values' Arrow form, for Sabot to encode
  serdes.py consume FORMAT BROKERS REGISTRY TOPIC [--without-registry]
      consume what Sabot produced, deserialize it and compare it with the
      values; --without-registry gives the Protobuf deserializer no registry
      client (for registries that cannot serve ?format=serialized)

Exits 1 with the differences on stderr when a check fails. Every value is
defined once, below; the expected Arrow layout follows Sabot's documented type
mapping (decode/avro, decode/protobuf and decode/json package docs).
"""

import atexit
import base64
import datetime as dt
import importlib
import json
import math
import os
import shutil
import struct
import sys
import tempfile
import time
import uuid
from decimal import Decimal

import pyarrow as pa
import pyarrow.ipc
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import json_format

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "testdata")
UTC = dt.timezone.utc
DEADLINE_S = 60


def read(name):
    with open(os.path.join(TESTDATA, name), encoding="utf-8") as f:
        return f.read()


def f(name, typ, nullable=True):
    return pa.field(name, typ, nullable)


def dictionary_of(symbols, values):
    """An enum column as Sabot decodes it: int32 indexes into every symbol,
    in schema order."""
    index = {s: i for i, s in enumerate(symbols)}
    indexes = pa.array([index[v] for v in values], pa.int32())
    return pa.DictionaryArray.from_arrays(indexes, pa.array(symbols, pa.string()))


def nested_types(integer):
    """The Arrow types of Address and Line, the same in every format but for
    the integer type of zip and count."""
    address = pa.struct([f("street", pa.string(), False), f("city", pa.string(), False), f("zip", integer)])
    line = pa.struct([f("sku", pa.string(), False), f("count", integer, False), f("discount", pa.float64())])
    return address, line


class Avro:
    SYMBOLS = ["NEW", "PAID", "SHIPPED"]

    def __init__(self):
        self.schema_str = read("order.avsc")

    def values(self):
        t = dt.datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
        return [
            dict(id="o-1", customer=42, qty=3, price=19.99, weight=1.25, paid=True,
                 blob=b"\x00\x01\x02\xff", hash=b"\xde\xad\xbe\xef", status="PAID",
                 tags=["gift", "", "expédié"], attrs={"priority": 2, "n": -9}, note="leave at door",
                 ship=dict(street="1 Main St", city="Oslo", zip=150),
                 bill=dict(street="PO Box 9", city="Bergen", zip=None),
                 lines=[dict(sku="A-1", count=2, discount=0.1), dict(sku="B-2", count=1, discount=None)],
                 created=t.replace(microsecond=535000), updated=t, local=t.replace(tzinfo=None),
                 day=dt.date(2026, 3, 14), at=dt.time(15, 9, 26, 535000), at_us=dt.time(23, 59, 59, 999999),
                 total=Decimal("59.97"), rate=Decimal("0.000001"),
                 uuid="3f1c2c8e-0d1a-4a44-9a55-6f3c3d9c2b10", payment="card-4242"),
            dict(id="", customer=-1, qty=0, price=0.0, weight=-0.5, paid=False,
                 blob=b"", hash=b"\x00\x00\x00\x00", status="NEW",
                 tags=[], attrs={}, note=None,
                 ship=dict(street="", city="日本", zip=None), bill=None, lines=[],
                 created=dt.datetime(1969, 7, 20, 20, 17, 40, 1000, tzinfo=UTC),
                 updated=dt.datetime(1970, 1, 1, tzinfo=UTC) - dt.timedelta(microseconds=1),
                 local=dt.datetime(1970, 1, 1), day=dt.date(1969, 7, 20),
                 at=dt.time(0, 0), at_us=dt.time(0, 0),
                 total=Decimal("-9999999999.99"), rate=Decimal("0.000000"),
                 uuid="00000000-0000-0000-0000-000000000000", payment=None),
            dict(id="o-3 🎉", customer=1 << 62, qty=-(1 << 31), price=-1e300, weight=65504.0, paid=True,
                 blob=bytes(range(256)) * 2, hash=b"\x01\x02\x03\x04", status="SHIPPED",
                 tags=["x"], attrs={"only": 1 << 40}, note="",
                 ship=dict(street="Strandveien 2", city="Tromsø", zip=9006), bill=None,
                 lines=[dict(sku="C", count=1 << 30, discount=-0.0)],
                 created=dt.datetime(2262, 4, 11, 23, 47, 16, 854000, tzinfo=UTC),
                 updated=dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),
                 local=dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
                 day=dt.date(9999, 12, 31), at=dt.time(23, 59, 59, 999000), at_us=dt.time(12, 0, 0, 1),
                 total=Decimal("0.00"), rate=Decimal("-999999999999.999999"),
                 uuid="ffffffff-ffff-ffff-ffff-ffffffffffff", payment=-(1 << 63)),
        ]

    def arrow_schema(self):
        address, line = nested_types(pa.int32())
        return pa.schema([
            f("id", pa.string(), False), f("customer", pa.int64(), False), f("qty", pa.int32(), False),
            f("price", pa.float64(), False), f("weight", pa.float32(), False), f("paid", pa.bool_(), False),
            f("blob", pa.binary(), False), f("hash", pa.binary(4), False),
            f("status", pa.dictionary(pa.int32(), pa.string()), False),
            f("tags", pa.list_(f("item", pa.string(), False)), False),
            f("attrs", pa.map_(pa.string(), f("value", pa.int64())), False),
            f("note", pa.string()), f("ship", address, False), f("bill", address),
            f("lines", pa.list_(f("item", line, False)), False),
            f("created", pa.timestamp("ms", "UTC"), False), f("updated", pa.timestamp("us", "UTC"), False),
            f("local", pa.timestamp("us"), False), f("day", pa.date32(), False),
            f("at", pa.time32("ms"), False), f("at_us", pa.time64("us"), False),
            f("total", pa.decimal128(12, 2), False), f("rate", pa.decimal128(18, 6), False),
            f("uuid", pa.string(), False),
            f("payment", pa.struct([f("string", pa.string()), f("long", pa.int64())])),
        ])

    def arrow_table(self):
        rows = []
        for v in self.values():
            r = dict(v)
            p = r["payment"]
            r["payment"] = None if p is None else {"string": p if isinstance(p, str) else None,
                                                     "long": p if isinstance(p, int) else None}
            rows.append(r)
        schema = self.arrow_schema()
        i = schema.get_field_index("status")
        t = pa.Table.from_pylist(rows, schema=schema.set(i, f("status", pa.string(), False)))
        return t.set_column(i, schema.field(i), dictionary_of(self.SYMBOLS, [v["status"] for v in self.values()]))

    def serializer(self, client):
        return AvroSerializer(client, self.schema_str)

    def deserializer(self, client):
        return AvroDeserializer(client)

    def canonical(self, v):
        # fastavro reads the uuid logical type as uuid.UUID and takes text.
        return {k: str(x) if isinstance(x, uuid.UUID) else x for k, x in v.items()}


class JSONSchema:
    SYMBOLS = ["NEW", "PAID", "SHIPPED"]

    def __init__(self):
        self.schema_str = read("order.schema.json")

    def values(self):
        return [
            dict(id="o-1", customer=42, price=19.99, ratio=3.0, paid=True, status="PAID",
                 tags=["gift", "", "expédié"], attrs={"priority": 2, "n": -9}, note="leave at door",
                 ship=dict(street="1 Main St", city="Oslo", zip=150),
                 bill=dict(street="PO Box 9", city="Bergen", zip=None),
                 lines=[dict(sku="A-1", count=2, discount=0.1), dict(sku="B-2", count=1, discount=None)],
                 created="2026-03-14T15:09:26.535897Z", day="2026-03-14",
                 blob=base64.b64encode(b"\x00\x01\x02\xff").decode()),
            dict(id="", customer=-1, price=0.0, ratio=-0.0, paid=False, status="NEW",
                 tags=[], attrs={}, note=None,
                 ship=dict(street="", city="日本", zip=None), bill=None, lines=[],
                 created="1969-07-20T20:17:40.001Z", day="1969-07-20", blob=""),
            dict(id="o-3 🎉", customer=(1 << 63) - 1, price=-1e300, ratio=0.5, paid=True, status="SHIPPED",
                 tags=["x"], attrs={"only": 1 << 40}, note="",
                 ship=dict(street="Strandveien 2", city="Tromsø", zip=9006), bill=None,
                 lines=[dict(sku="C", count=-(1 << 63), discount=-0.0)],
                 created="2038-01-19T03:14:08Z", day="9999-12-31",
                 blob=base64.b64encode(bytes(range(256))).decode()),
        ]

    def arrow_schema(self):
        address, line = nested_types(pa.int64())
        return pa.schema([
            f("id", pa.string(), False), f("customer", pa.int64(), False), f("price", pa.float64(), False),
            f("ratio", pa.float64(), False), f("paid", pa.bool_(), False), f("status", pa.string(), False),
            f("tags", pa.list_(f("item", pa.string(), False)), False),
            f("attrs", pa.map_(pa.string(), f("value", pa.int64())), False),
            f("note", pa.string()), f("ship", address, False), f("bill", address),
            f("lines", pa.list_(f("item", line, False)), False),
            f("created", pa.timestamp("us", "UTC"), False), f("day", pa.date32(), False),
            f("blob", pa.binary(), False),
        ])

    def arrow_table(self):
        rows = []
        for v in self.values():
            r = dict(v)
            r["created"] = instant(v["created"])
            r["day"] = dt.date.fromisoformat(v["day"])
            r["blob"] = base64.b64decode(v["blob"])
            rows.append(r)
        return pa.Table.from_pylist(rows, schema=self.arrow_schema())

    def serializer(self, client):
        return JSONSerializer(self.schema_str, client)

    def deserializer(self, client):
        return JSONDeserializer(None, schema_registry_client=client)

    def canonical(self, v):
        # An instant may be written with another offset spelling or fraction
        # length ("Z" or "+00:00", ".500" or ".5"): compare instants.
        v = dict(v)
        if isinstance(v.get("created"), str):
            v["created"] = instant(v["created"])
        return v


class Protobuf:
    SYMBOLS = ["STATUS_UNKNOWN", "NEW", "PAID", "SHIPPED"]

    def __init__(self):
        self.schema_str = read("order.proto")
        self.pb = generate_pb2("order.proto")

    def values(self):
        pb = self.pb
        from google.protobuf import duration_pb2, timestamp_pb2, wrappers_pb2
        ts, du = timestamp_pb2.Timestamp, duration_pb2.Duration
        return [
            pb.Order(id="o-1", customer=42, qty=3, delta=-5, big=(1 << 64) - 1, price=19.99, weight=1.25, paid=True,
                     blob=b"\x00\x01\x02\xff", status=pb.PAID, tags=["gift", "", "expédié"],
                     attrs={"priority": 2, "n": -9}, note="leave at door",
                     ship=pb.Address(street="1 Main St", city="Oslo", zip=150),
                     bill=pb.Address(street="PO Box 9", city="Bergen"),
                     lines=[pb.Order.Line(sku="A-1", count=2, discount=0.1), pb.Order.Line(sku="B-2", count=1)],
                     created=ts(seconds=1773500966, nanos=535897123), elapsed=du(seconds=90061, nanos=5),
                     coupon=wrappers_pb2.StringValue(value="SPRING"), card="card-4242"),
            pb.Order(id="", customer=0, qty=0, status=pb.STATUS_UNKNOWN, note="",
                     ship=pb.Address(), created=ts(seconds=-1, nanos=999999999), elapsed=du(seconds=-3, nanos=-500),
                     coupon=wrappers_pb2.StringValue(value=""), voucher=0),
            pb.Order(id="o-3 🎉", customer=-(1 << 63), qty=(1 << 31) - 1, delta=(1 << 63) - 1, big=0, price=-1e300,
                     weight=65504.0, paid=True, blob=bytes(range(256)) * 2, status=pb.SHIPPED, tags=["x"],
                     attrs={"only": 1 << 40}, lines=[pb.Order.Line(sku="C", count=-(1 << 31), discount=-0.0)]),
        ]

    def arrow_schema(self):
        address, line = nested_types(pa.int32())
        return pa.schema([
            f("id", pa.string(), False), f("customer", pa.int64(), False), f("qty", pa.int32(), False),
            f("delta", pa.int64(), False), f("big", pa.uint64(), False), f("price", pa.float64(), False),
            f("weight", pa.float32(), False), f("paid", pa.bool_(), False), f("blob", pa.binary(), False),
            f("status", pa.dictionary(pa.int32(), pa.string()), False),
            f("tags", pa.list_(f("item", pa.string(), False)), False),
            f("attrs", pa.map_(pa.string(), f("value", pa.int64(), False)), False),
            f("note", pa.string()), f("ship", address), f("bill", address),
            f("lines", pa.list_(f("item", line, False)), False),
            f("created", pa.timestamp("ns", "UTC")), f("elapsed", pa.duration("ns")), f("coupon", pa.string()),
            f("payment", pa.string()), f("card", pa.string()), f("voucher", pa.int64()),
        ])

    def arrow_table(self):
        def address(m, name):
            if not m.HasField(name):
                return None
            a = getattr(m, name)
            return dict(street=a.street, city=a.city, zip=a.zip if a.HasField("zip") else None)

        rows = []
        for m in self.values():
            case = m.WhichOneof("payment")
            rows.append(dict(
                id=m.id, customer=m.customer, qty=m.qty, delta=m.delta, big=m.big, price=m.price,
                weight=m.weight, paid=m.paid, blob=m.blob, status=None, tags=list(m.tags), attrs=dict(m.attrs),
                note=m.note if m.HasField("note") else None, ship=address(m, "ship"), bill=address(m, "bill"),
                lines=[dict(sku=x.sku, count=x.count, discount=x.discount if x.HasField("discount") else None)
                       for x in m.lines],
                created=m.created.seconds * 10**9 + m.created.nanos if m.HasField("created") else None,
                elapsed=m.elapsed.seconds * 10**9 + m.elapsed.nanos if m.HasField("elapsed") else None,
                coupon=m.coupon.value if m.HasField("coupon") else None,
                payment=case, card=m.card if case == "card" else None, voucher=m.voucher if case == "voucher" else None,
            ))
        schema = self.arrow_schema()
        i = schema.get_field_index("status")
        t = pa.Table.from_pylist(rows, schema=schema.set(i, f("status", pa.null())))
        names = [self.pb.Status.Name(m.status) for m in self.values()]
        return t.set_column(i, schema.field(i), dictionary_of(self.SYMBOLS, names))

    def serializer(self, client):
        return ProtobufSerializer(self.pb.Order, client)

    def deserializer(self, client, with_registry=True):
        return ProtobufDeserializer(self.pb.Order, schema_registry_client=client if with_registry else None)

    def canonical(self, m):
        # The proto3 JSON mapping of every field, zero values included: each
        # field's value and presence, independent of field order on the wire.
        return json_format.MessageToDict(m, preserving_proto_field_name=True,
                                         always_print_fields_with_no_presence=True)


def instant(text):
    """An RFC 3339 date-time as an aware datetime (fromisoformat takes "Z"
    only from Python 3.11 on)."""
    return dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)


def generate_pb2(proto):
    """Compiles testdata/PROTO with protoc from grpcio-tools into a temporary
    directory and imports the module: the .proto stays the one source of the
    message types, and the generated code always matches the installed
    protobuf runtime."""
    from grpc_tools import protoc
    out = tempfile.mkdtemp(prefix="sabot-pb2-")
    atexit.register(shutil.rmtree, out, True)
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    rc = protoc.main(["protoc", "-I" + TESTDATA, "-I" + include, "--python_out=" + out, proto])
    if rc != 0:
        sys.exit(f"protoc failed on {proto} (exit {rc})")
    sys.path.insert(0, out)
    return importlib.import_module(proto.removesuffix(".proto") + "_pb2")


FORMATS = {"avro": Avro, "json_schema": JSONSchema, "protobuf": Protobuf}


def same(a, b, path, diffs):
    """Strict equality: the same Python types, floats bit for bit (-0.0 is not
    0.0), decimals with the same digits and exponent, instants equal with the
    same offset."""
    if type(a) is not type(b):
        diffs.append(f"{path or '.'}: {a!r} ({type(a).__name__}) != {b!r} ({type(b).__name__})")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                diffs.append(f"{path}.{k}: only in {'got' if k in a else 'want'}")
            else:
                same(a[k], b[k], f"{path}.{k}", diffs)
    elif isinstance(a, list):
        if len(a) != len(b):
            diffs.append(f"{path}: {len(a)} items != {len(b)}: {a!r} != {b!r}")
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]", diffs)
    elif isinstance(a, float):
        if struct.pack("<d", a) != struct.pack("<d", b) and not (math.isnan(a) and math.isnan(b)):
            diffs.append(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, Decimal):
        if a.as_tuple() != b.as_tuple():
            diffs.append(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, dt.datetime):
        if a != b or a.utcoffset() != b.utcoffset():
            diffs.append(f"{path}: {a!r} != {b!r}")
    elif a != b:
        diffs.append(f"{path}: {a!r} != {b!r}")


def fail(title, diffs):
    print(title, file=sys.stderr)
    for d in diffs[:50]:
        print("  " + d, file=sys.stderr)
    if len(diffs) > 50:
        print(f"  ... and {len(diffs) - 50} more", file=sys.stderr)
    sys.exit(1)


def produce(fmt, brokers, registry, topic):
    client = SchemaRegistryClient({"url": registry})
    ser = fmt.serializer(client)
    ctx = SerializationContext(topic, MessageField.VALUE)
    errors = []

    def delivered(err, _msg):
        if err is not None:
            errors.append(str(err))

    p = Producer({"bootstrap.servers": brokers, "linger.ms": 5, "log_level": 4})
    values = fmt.values()
    for v in values:
        p.produce(topic, value=ser(v, ctx), partition=0, on_delivery=delivered)
    left = p.flush(DEADLINE_S)
    if left or errors:
        sys.exit(f"produce to {topic}: {left} not delivered, errors {errors}")
    print(json.dumps({"produced": len(values)}))


def consume(fmt, brokers, registry, topic, *flags):
    client = SchemaRegistryClient({"url": registry})
    if flags == ("--without-registry",) and isinstance(fmt, Protobuf):
        deser = fmt.deserializer(client, with_registry=False)
    elif flags:
        sys.exit(f"consume: unknown flags {flags}")
    else:
        deser = fmt.deserializer(client)
    ctx = SerializationContext(topic, MessageField.VALUE)
    want = fmt.values()
    c = Consumer({"bootstrap.servers": brokers, "group.id": "sabot-interop-" + topic,
                  "enable.auto.commit": False, "auto.offset.reset": "earliest", "log_level": 4})
    c.assign([TopicPartition(topic, 0, 0)])
    got = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        while len(got) < len(want) and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                sys.exit(f"consume {topic}: {m.error()}")
            got.append(deser(m.value(), ctx))
    finally:
        c.close()
    if len(got) != len(want):
        sys.exit(f"consume {topic}: {len(got)} of {len(want)} values within {DEADLINE_S}s")
    diffs = []
    for i, (g, w) in enumerate(zip(got, want)):
        same(fmt.canonical(g), fmt.canonical(w), f"[{i}]", diffs)
    if diffs:
        fail(f"{type(fmt).__name__}: what confluent-kafka-python read from Sabot's values differs from what was"
             " written", diffs)
    print(json.dumps({"consumed": len(got)}))


def write_arrow(fmt, path):
    t = fmt.arrow_table()
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, t.schema) as w:
        w.write_table(t)
    print(json.dumps({"rows": t.num_rows}))


def check_arrow(fmt, path):
    with pa.memory_map(path) as src:
        got = pa.ipc.open_file(src).read_all()
    want = fmt.arrow_table()
    if not got.schema.equals(want.schema):
        fail("the Arrow schema Sabot decoded to differs from the expected one",
             [f"got  {got.schema.field(i)}" for i in range(len(got.schema))
              if i >= len(want.schema) or not got.schema.field(i).equals(want.schema.field(i))] +
             [f"want {want.schema.field(i)}" for i in range(len(want.schema))
              if i >= len(got.schema) or not got.schema.field(i).equals(want.schema.field(i))])
    diffs = []
    if got.num_rows != want.num_rows:
        diffs.append(f"{got.num_rows} rows, want {want.num_rows}")
    for name in want.schema.names:
        g, w = got.column(name).combine_chunks(), want.column(name).combine_chunks()
        if pa.types.is_map(w.type):
            # A map's entries have no order in any of these formats (the
            # Protobuf serializer writes them in hash order): compare each
            # row's entries sorted by key.
            if map_rows(g) != map_rows(w):
                diffs.append(f"column {name}: got {arrow_text(g)}; want {arrow_text(w)}")
        elif not g.equals(w):
            diffs.append(f"column {name}: got {arrow_text(g)}; want {arrow_text(w)}")
    if diffs:
        fail("the values Sabot decoded differ from what confluent-kafka-python wrote", diffs)
    print(json.dumps({"rows": got.num_rows}))


def map_rows(arr):
    return [None if row is None else sorted(row) for row in arr.to_pylist()]


def arrow_text(arr):
    try:
        return repr(arr.to_pylist())
    except (ValueError, pa.ArrowException):  # nanosecond timestamps need pandas
        return arr.to_string()


def main(argv):
    if len(argv) < 3 or argv[1] not in ("produce", "consume", "write-arrow", "check-arrow") or argv[2] not in FORMATS:
        sys.exit(__doc__)
    cmd, fmt, args = argv[1], FORMATS[argv[2]](), argv[3:]
    if cmd in ("produce", "consume"):
        (produce if cmd == "produce" else consume)(fmt, *args)
    else:
        (write_arrow if cmd == "write-arrow" else check_arrow)(fmt, *args)


if __name__ == "__main__":
    main(sys.argv)

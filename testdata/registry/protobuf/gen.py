"""Writes the golden files of this directory with protoc and confluent-kafka-python.

Run against a fresh registry (nothing registered yet), e.g. `sabot dev`:

    python3 -m venv venv && venv/bin/pip install grpcio-tools protobuf confluent-kafka httpx authlib cachetools attrs
    venv/bin/python gen.py http://127.0.0.1:8081

It compiles shop/**/*.proto with protoc (grpcio-tools), then
  - NAME.b64: the base64 FileDescriptorProto confluent-kafka-python's
    ProtobufSerializer registers for each file (_schema_to_str of the file),
  - MSG-value.bin: a value the ProtobufSerializer writes for MSG (framing,
    message-index path, payload), registering its schemas in the registry,
  - MSG-value.want.json: that message in protojson,
and reads each value back with ProtobufDeserializer, which fetches the
writer schema and its references with ?format=serialized.
"""
import base64
import importlib
import os
import subprocess
import sys
import tempfile

from google.protobuf import json_format
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer, ProtobufDeserializer
from confluent_kafka.serialization import SerializationContext, MessageField
import grpc_tools

here = os.path.dirname(os.path.abspath(__file__))
out = tempfile.mkdtemp()
wkt = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
subprocess.check_call([sys.executable, "-m", "grpc_tools.protoc", "-I" + here, "-I" + wkt,
                       "--python_out=" + out, "shop/common/money.proto", "shop/v1/order.proto"])
sys.path.insert(0, out)
money_pb2 = importlib.import_module("shop.common.money_pb2")
order_pb2 = importlib.import_module("shop.v1.order_pb2")

for name, mod in [("money", money_pb2), ("order", order_pb2)]:
    with open(os.path.join(here, name + ".b64"), "w") as f:
        f.write(base64.standard_b64encode(mod.DESCRIPTOR.serialized_pb).decode("ascii") + "\n")

sr = SchemaRegistryClient({"url": sys.argv[1]})
order = order_pb2.Order(id="o-1", total=money_pb2.Money(units=1250, currency="EUR"), tags=["a", "b"],
                        status=order_pb2.Order.STATUS_PAID, note="")
order.placed_at.FromSeconds(1767225600)
order.placed_at.nanos = 5000
order.counts["x"] = 3
order.lines.add(sku="s-1", qty=2)
refund = order_pb2.Refund(order_id="o-1", amount=money_pb2.Money(units=-5, currency="EUR"))

for name, msg, topic in [("order", order, "orders"), ("refund", refund, "refunds")]:
    ctx = SerializationContext(topic, MessageField.VALUE)
    value = ProtobufSerializer(type(msg), sr, {"use.deprecated.format": False})(msg, ctx)
    with open(os.path.join(here, name + "-value.bin"), "wb") as f:
        f.write(value)
    with open(os.path.join(here, name + "-value.want.json"), "w") as f:
        f.write(json_format.MessageToJson(msg, preserving_proto_field_name=True, sort_keys=True) + "\n")
    fresh = SchemaRegistryClient({"url": sys.argv[1]})  # no cached schemas
    back = ProtobufDeserializer(type(msg), {"use.deprecated.format": False}, fresh)(value, ctx)
    assert back == msg, (back, msg)
    print(name, "round trip through the registry: ok")

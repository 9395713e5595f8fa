// A minimal ONNX ModelProto encoder (protobuf wire format by hand), enough for the tiny token
// classifier the prose-model tests generate: typed inputs/outputs, float/int64 initializers, nodes
// with int attributes. Field numbers are those of onnx/onnx.proto.

const VARINT = 0;
const BYTES = 2;

export const FLOAT = 1;
export const INT64 = 7;

class ProtoWriter {
  private readonly parts: number[] = [];

  varint(field: number, value: number | bigint): this {
    this.key(field, VARINT);
    this.rawVarint(BigInt(value));
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, BYTES);
    this.rawVarint(BigInt(data.length));
    for (const b of data) this.parts.push(b);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  private key(field: number, wireType: number): void {
    this.rawVarint(BigInt((field << 3) | wireType));
  }

  // Negative int64 values are written as 10-byte two's complement varints, as protobuf does.
  private rawVarint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.parts.push(byte);
    } while (v > 0n);
  }
}

export interface TensorInit {
  readonly name: string;
  readonly type: typeof FLOAT | typeof INT64;
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

export interface ValueInfo {
  readonly name: string;
  readonly type: typeof FLOAT | typeof INT64;
  /** A number is a fixed size, a string a symbolic one ("batch"). */
  readonly shape: readonly (number | string)[];
}

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly intAttributes?: Readonly<Record<string, number>>;
}

export interface GraphSpec {
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly TensorInit[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly opset?: number;
}

function tensor(init: TensorInit): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of init.dims) w.varint(1, d);
  w.varint(2, init.type);
  w.string(8, init.name);
  const raw = new Uint8Array(init.values.length * (init.type === FLOAT ? 4 : 8));
  const view = new DataView(raw.buffer);
  init.values.forEach((v, i) => {
    if (init.type === FLOAT) view.setFloat32(i * 4, v, true);
    else view.setBigInt64(i * 8, BigInt(v), true);
  });
  return w.bytes(9, raw);
}

function valueInfo(info: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of info.shape) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().varint(1, info.type).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, info.name).message(2, type);
}

function node(spec: NodeSpec, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of spec.inputs) w.string(1, i);
  for (const o of spec.outputs) w.string(2, o);
  w.string(3, `${spec.op.toLowerCase()}_${index}`);
  w.string(4, spec.op);
  for (const [name, value] of Object.entries(spec.intAttributes ?? {})) {
    // AttributeProto: name = 1, i = 3, type = 20 (INT = 2)
    w.message(5, new ProtoWriter().string(1, name).varint(3, value).varint(20, 2));
  }
  return w;
}

/** Encodes a whole ModelProto (IR version 8, default-domain opset `spec.opset ?? 13`). */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const graph = new ProtoWriter();
  spec.nodes.forEach((n, i) => graph.message(1, node(n, i)));
  graph.string(2, "tiny_token_classifier");
  for (const init of spec.initializers) graph.message(5, tensor(init));
  for (const input of spec.inputs) graph.message(11, valueInfo(input));
  for (const output of spec.outputs) graph.message(12, valueInfo(output));
  const opset = new ProtoWriter().string(1, "").varint(2, spec.opset ?? 13);
  return new ProtoWriter()
    .varint(1, 8)
    .string(2, "headroom-tests")
    .message(7, graph)
    .message(8, opset)
    .finish();
}

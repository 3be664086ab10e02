using System.Text;

namespace Stratus.LocalRunner.Demo;

/// <summary>
/// Rewrites an ONNX model whose graph inputs and outputs fix the batch dimension at 1 (as many exported vision
/// models do) so that dimension is symbolic and requests can be batched. Works on the protobuf wire format, so
/// the (large) weights are copied through untouched; recorded intermediate shapes (<c>value_info</c>) are dropped
/// and re-inferred by ONNX Runtime. Only correct for graphs that do not bake the batch size into constants such
/// as Reshape targets: run the result against the original before serving it.
/// </summary>
public static class OnnxBatchDimension
{
    // Field numbers from onnx.proto.
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int GraphValueInfo = 13;
    private const int TensorName = 8;
    private const int ValueInfoName = 1;
    private const int ValueInfoType = 2;
    private const int TypeTensor = 1;
    private const int TensorTypeShape = 2;
    private const int ShapeDim = 1;
    private const int DimValue = 1;
    private const int DimParam = 2;

    private delegate bool FieldRewriter(int field, ReadOnlySpan<byte> payload, Stream output);

    public static byte[] MakeSymbolic(ReadOnlySpan<byte> model, string dimensionName = "batch")
    {
        using var output = new MemoryStream(model.Length);
        Rewrite(model, output, (field, payload, o) =>
        {
            if (field != ModelGraph)
            {
                return false;
            }

            WriteLength(o, field, Graph(payload, dimensionName));
            return true;
        });
        return output.ToArray();
    }

    private static byte[] Graph(ReadOnlySpan<byte> graph, string dimensionName)
    {
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        Rewrite(graph, Stream.Null, (field, payload, _) =>
        {
            if (field == GraphInitializer && StringField(payload, TensorName) is { } name)
            {
                initializers.Add(name);
            }

            return false;
        });

        using var output = new MemoryStream(graph.Length);
        Rewrite(graph, output, (field, payload, o) =>
        {
            switch (field)
            {
                case GraphValueInfo:
                    return true; // dropped: intermediate shapes still say batch 1
                case GraphInput or GraphOutput when !initializers.Contains(StringField(payload, ValueInfoName) ?? ""):
                    WriteLength(o, field, Nested(payload, [ValueInfoType, TypeTensor, TensorTypeShape], shape => FirstDimension(shape, dimensionName)));
                    return true;
                default:
                    return false;
            }
        });
        return output.ToArray();
    }

    /// <summary>Rewrites the message at the end of a path of nested length-delimited fields.</summary>
    private static byte[] Nested(ReadOnlySpan<byte> message, int[] path, Func<byte[], byte[]> leaf)
    {
        if (path.Length == 0)
        {
            return leaf(message.ToArray());
        }

        using var output = new MemoryStream(message.Length + 8);
        Rewrite(message, output, (field, payload, o) =>
        {
            if (field != path[0])
            {
                return false;
            }

            WriteLength(o, field, Nested(payload, path[1..], leaf));
            return true;
        });
        return output.ToArray();
    }

    /// <summary>The shape's first dimension becomes symbolic if it is a fixed value.</summary>
    private static byte[] FirstDimension(byte[] shape, string dimensionName)
    {
        var first = true;
        using var output = new MemoryStream(shape.Length + dimensionName.Length);
        Rewrite(shape, output, (field, payload, o) =>
        {
            if (field != ShapeDim || !first)
            {
                return false;
            }

            first = false;
            if (!HasVarint(payload, DimValue))
            {
                return false; // already symbolic (or unknown)
            }

            using var dimension = new MemoryStream();
            WriteLength(dimension, DimParam, Encoding.UTF8.GetBytes(dimensionName));
            WriteLength(o, field, dimension.ToArray());
            return true;
        });
        return output.ToArray();
    }

    /// <summary>Walks one message's fields, copying each unless <paramref name="rewrite"/> handles a length-delimited one.</summary>
    private static void Rewrite(ReadOnlySpan<byte> message, Stream output, FieldRewriter rewrite)
    {
        var position = 0;
        while (position < message.Length)
        {
            var start = position;
            var tag = ReadVarint(message, ref position);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    ReadVarint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var length = checked((int)ReadVarint(message, ref position));
                    var payload = message.Slice(position, length);
                    position += length;
                    if (rewrite(field, payload, output))
                    {
                        continue;
                    }

                    break;
                default:
                    throw new InvalidDataException($"Not an ONNX model: unsupported protobuf wire type {tag & 7}.");
            }

            output.Write(message[start..position]);
        }
    }

    private static string? StringField(ReadOnlySpan<byte> message, int wanted)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var wire = (int)(tag & 7);
            if (wire == 2)
            {
                var length = (int)ReadVarint(message, ref position);
                if ((int)(tag >> 3) == wanted)
                {
                    return Encoding.UTF8.GetString(message.Slice(position, length));
                }

                position += length;
            }
            else
            {
                position += wire switch { 0 => SkipVarint(message, position), 1 => 8, 5 => 4, _ => throw new InvalidDataException("Unsupported wire type.") };
            }
        }

        return null;
    }

    private static bool HasVarint(ReadOnlySpan<byte> message, int wanted)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var wire = (int)(tag & 7);
            if (wire == 0 && (int)(tag >> 3) == wanted)
            {
                return true;
            }

            if (wire == 2)
            {
                var length = (int)ReadVarint(message, ref position);
                position += length;
                continue;
            }

            position += wire switch { 0 => SkipVarint(message, position), 1 => 8, 5 => 4, _ => throw new InvalidDataException("Unsupported wire type.") };
        }

        return false;
    }

    private static int SkipVarint(ReadOnlySpan<byte> message, int position)
    {
        var start = position;
        ReadVarint(message, ref position);
        return position - start;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("Malformed protobuf varint.");
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }

    private static void WriteLength(Stream output, int field, ReadOnlySpan<byte> payload)
    {
        WriteVarint(output, ((ulong)field << 3) | 2);
        WriteVarint(output, (ulong)payload.Length);
        output.Write(payload);
    }
}

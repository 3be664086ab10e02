using System.Text;

namespace Stratus.Serving.Onnx;

/// <summary>
/// Finds tensors that keep their data outside the model file (<c>data_location = EXTERNAL</c>, or <c>external_data</c>
/// entries), anywhere: initializers, sparse initializers, node attributes (single and repeated), subgraphs and
/// functions. An uploaded model must be self-contained: external data would make ONNX Runtime open files on the
/// server. Reads the protobuf wire format from a stream, skipping tensor payloads, so large models cost no memory.
/// </summary>
public static class OnnxExternalData
{
    // Field numbers and values from onnx.proto.
    private const int ModelGraph = 7;
    private const int ModelFunctions = 25;
    private const int FunctionNode = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphSparseInitializer = 15;
    private const int NodeAttribute = 5;
    private const int AttributeTensor = 5;
    private const int AttributeGraph = 6;
    private const int AttributeTensors = 10;
    private const int AttributeGraphs = 11;
    private const int AttributeSparseTensor = 22;
    private const int AttributeSparseTensors = 23;
    private const int SparseValues = 1;
    private const int SparseIndices = 2;
    private const int TensorName = 8;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;
    private const int External = 1;

    /// <summary>Most nesting of messages followed (subgraphs in subgraphs); deeper files are refused as malformed.</summary>
    private const int MaxDepth = 64;

    private enum Kind { None, Model, Function, Graph, Node, Attribute, Sparse, Tensor }

    /// <summary>The name of the first tensor with external data (or "(unnamed)"), or null when the model is self-contained.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed protobuf message.</exception>
    public static string? FindExternalTensor(string onnxPath)
    {
        using var file = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        return Find(file, file.Length, Kind.Model, 0);
    }

    /// <inheritdoc cref="FindExternalTensor(string)"/>
    public static string? FindExternalTensor(Stream model) => Find(model, model.Length, Kind.Model, 0);

    private static string? Find(Stream s, long end, Kind kind, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException("The model nests messages too deeply.");
        }

        string? name = null;
        var external = false;
        while (s.Position < end)
        {
            var tag = ReadVarint(s);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    var value = ReadVarint(s);
                    external |= kind == Kind.Tensor && field == TensorDataLocation && value == External;
                    break;
                case 1:
                    Skip(s, 8, end);
                    break;
                case 5:
                    Skip(s, 4, end);
                    break;
                case 2:
                    var length = (long)ReadVarint(s);
                    var start = s.Position;
                    if (length < 0 || start + length > end)
                    {
                        throw new InvalidDataException("A field runs past the end of its message.");
                    }

                    if (kind == Kind.Tensor && field == TensorName && length <= 1024)
                    {
                        var bytes = new byte[length];
                        s.ReadExactly(bytes);
                        name = Encoding.UTF8.GetString(bytes);
                    }
                    else if (kind == Kind.Tensor && field == TensorExternalData)
                    {
                        external = true;
                    }
                    else if (Child(kind, field) is var child and not Kind.None && Find(s, start + length, child, depth + 1) is { } found)
                    {
                        return found;
                    }

                    s.Position = start + length;
                    break;
                default:
                    throw new InvalidDataException($"Unknown wire type {tag & 7}.");
            }
        }

        return external ? name ?? "(unnamed)" : null;
    }

    private static Kind Child(Kind parent, int field) => (parent, field) switch
    {
        (Kind.Model, ModelGraph) => Kind.Graph,
        (Kind.Model, ModelFunctions) => Kind.Function,
        (Kind.Function, FunctionNode) => Kind.Node,
        (Kind.Graph, GraphNode) => Kind.Node,
        (Kind.Graph, GraphInitializer) => Kind.Tensor,
        (Kind.Graph, GraphSparseInitializer) => Kind.Sparse,
        (Kind.Node, NodeAttribute) => Kind.Attribute,
        (Kind.Attribute, AttributeTensor or AttributeTensors) => Kind.Tensor,
        (Kind.Attribute, AttributeGraph or AttributeGraphs) => Kind.Graph,
        (Kind.Attribute, AttributeSparseTensor or AttributeSparseTensors) => Kind.Sparse,
        (Kind.Sparse, SparseValues or SparseIndices) => Kind.Tensor,
        _ => Kind.None,
    };

    private static ulong ReadVarint(Stream s)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = s.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException("The model ends inside a field.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("A varint is too long.");
    }

    private static void Skip(Stream s, long bytes, long end)
    {
        if (s.Position + bytes > end)
        {
            throw new InvalidDataException("A field runs past the end of its message.");
        }

        s.Position += bytes;
    }
}

using System.Text.Json;
using Stratus.Core.Errors;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.OpenInference;

/// <summary>Open Inference Protocol tensors on the wire: requests to the GPU tier and its answers.</summary>
public static class V2Tensors
{
    public static byte[] WriteRequest(string id, IReadOnlyList<TensorData> inputs)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                WriteTensor(writer, input);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>One tensor as the protocol writes it: <c>{"name", "datatype", "shape", "data"}</c> with flat data.</summary>
    public static void WriteTensor(Utf8JsonWriter writer, TensorData tensor)
    {
        WriteHead(writer, tensor);
        writer.WriteStartArray("data");
        tensor.WriteValues(writer, 0, tensor.ElementCount);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>A tensor whose data follows the JSON (binary tensor extension): <c>parameters.binary_data_size</c>, no <c>data</c>.</summary>
    public static void WriteBinaryTensor(Utf8JsonWriter writer, TensorData tensor, int size)
    {
        WriteHead(writer, tensor);
        writer.WriteStartObject("parameters");
        writer.WriteNumber(V2Binary.DataSizeParameter, size);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Opens the tensor object and writes what every form shares: name, datatype, shape.</summary>
    private static void WriteHead(Utf8JsonWriter writer, TensorData tensor)
    {
        writer.WriteStartObject();
        writer.WriteString("name", tensor.Name);
        writer.WriteString("datatype", TensorTypes.V2Name(tensor.Type));
        writer.WriteStartArray("shape");
        foreach (var d in tensor.Shape)
        {
            writer.WriteNumberValue(d);
        }

        writer.WriteEndArray();
    }

    public const string Inputs = "inputs";
    public const string Outputs = "outputs";

    /// <summary>Rows in a request or answer: the first tensor's batch dimension (1 for a scalar).</summary>
    public static int Rows(IReadOnlyList<TensorData> tensors) =>
        tensors.Count > 0 && tensors[0].Shape.Length > 0 ? (int)tensors[0].Shape[0] : 1;

    /// <summary>The <paramref name="property"/> tensors of a V2 body; with the binary extension the JSON part is the first <paramref name="jsonLength"/> bytes.</summary>
    public static IReadOnlyList<TensorData> Read(ReadOnlyMemory<byte> body, int? jsonLength, string property) =>
        jsonLength is { } length ? Read(body[..length], body[length..], property) : Read(body, ReadOnlyMemory<byte>.Empty, property);

    /// <summary>
    /// The <paramref name="property"/> (<see cref="Inputs"/> or <see cref="Outputs"/>) tensors of a V2 request or answer, from
    /// JSON <c>data</c> (flat or nested) or, for tensors with <c>parameters.binary_data_size</c>, from <paramref name="binary"/> in order.
    /// </summary>
    public static IReadOnlyList<TensorData> Read(ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> binary, string property)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty(property, out var tensors) || tensors.ValueKind != JsonValueKind.Array)
        {
            throw DomainException.Invalid("Invalid V2 body", $"The body has no '{property}' array.");
        }

        var offset = 0;
        var read = new List<TensorData>();
        foreach (var tensor in tensors.EnumerateArray())
        {
            var name = tensor.GetProperty("name").GetString()!;
            if (!TensorTypes.TryParseV2(tensor.GetProperty("datatype").GetString(), out var type))
            {
                throw DomainException.Invalid("Invalid V2 body", $"Tensor '{name}' has an unknown datatype.");
            }

            var shape = tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Array data;
            if (tensor.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty(V2Binary.DataSizeParameter, out var size))
            {
                var bytes = size.GetInt32();
                var count = type == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String
                    ? (int)shape.Aggregate(1L, (a, d) => checked(a * d))
                    : bytes / V2Binary.ElementSize(type);
                data = TensorData.Allocate(type, count);
                V2Binary.Read(binary.Span.Slice(offset, bytes), data, type, name);
                offset += bytes;
            }
            else
            {
                var values = new List<JsonElement>();
                Flatten(tensor.GetProperty("data"), values);
                data = TensorData.Allocate(type, values.Count);
                for (var i = 0; i < values.Count; i++)
                {
                    TensorData.TrySet(data, i, values[i]);
                }
            }

            read.Add(new TensorData(name, type, shape, data));
        }

        return read;
    }

    private static void Flatten(JsonElement element, List<JsonElement> values)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            values.Add(element);
            return;
        }

        foreach (var item in element.EnumerateArray())
        {
            Flatten(item, values);
        }
    }
}

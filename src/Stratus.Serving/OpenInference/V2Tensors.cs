using System.Text.Json;
using Stratus.Core.Problems;
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
        writer.WriteNumber("binary_data_size", size);
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

    /// <summary>The <c>outputs</c> of a V2 infer response as tensors.</summary>
    public static IReadOnlyList<TensorData> ReadOutputs(byte[] response)
    {
        using var document = JsonDocument.Parse(response);
        if (!document.RootElement.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != JsonValueKind.Array)
        {
            throw ProblemException.ServiceUnavailable("GPU tier answered badly", "The GPU tier's answer has no 'outputs'.", TimeSpan.FromSeconds(10));
        }

        return outputs.EnumerateArray().Select(o =>
        {
            TensorTypes.TryParseV2(o.GetProperty("datatype").GetString(), out var type);
            var shape = o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var values = o.GetProperty("data").EnumerateArray().ToArray();
            var data = TensorData.Allocate(type, values.Length);
            for (var i = 0; i < values.Length; i++)
            {
                TensorData.TrySet(data, i, values[i]);
            }

            return new TensorData(o.GetProperty("name").GetString()!, type, shape, data);
        }).ToArray();
    }
}

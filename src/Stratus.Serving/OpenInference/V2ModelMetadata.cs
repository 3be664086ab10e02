using System.Text.Json;
using System.Text.Json.Serialization;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.Serving.Onnx;

namespace Stratus.Serving.OpenInference;

/// <summary>V2 model metadata: the protocol's fields, plus Stratus' own under <c>parameters</c>.</summary>
public sealed record V2ModelMetadata(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<V2TensorMetadata> Inputs,
    IReadOnlyList<V2TensorMetadata> Outputs,
    V2ModelParameters Parameters)
{
    public const string OnnxPlatform = "onnxruntime_onnx";

    /// <summary>The metadata of <paramref name="selected"/> among the model's registered versions.</summary>
    public static V2ModelMetadata From(ModelCard card, int selected, IReadOnlyList<ModelVersion> registered)
    {
        var record = registered.FirstOrDefault(v => v.Version == selected) ?? throw RegistryErrors.VersionNotFound(card.Name, selected);
        return new V2ModelMetadata(
            card.Name,
            registered.Select(v => v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            OnnxPlatform,
            record.Signature.Inputs.Select(V2TensorMetadata.From).ToArray(),
            record.Signature.Outputs.Select(V2TensorMetadata.From).ToArray(),
            new V2ModelParameters(selected, card.Tier, record.Signature.Inputs.Any(i => i.Shape.Count > 0 && i.Shape[0] > 0)));
    }
}

/// <summary>
/// How Stratus serves the version: which one the path resolved to, on which tier, and whether its batch dimension is
/// fixed. The GPU tier adds how it runs the model (batching, execution provider, warm-up); absent values are not written.
/// </summary>
public sealed record V2ModelParameters(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("tier")] ServingTier Tier,
    [property: JsonPropertyName("batch_dimension_fixed")] bool BatchDimensionFixed)
{
    [JsonPropertyName("dynamic_batching")]
    public bool? DynamicBatching { get; init; }

    [JsonPropertyName("max_batch_size")]
    public int? MaxBatchSize { get; init; }

    [JsonPropertyName("max_queue_delay_us")]
    public int? MaxQueueDelayMicroseconds { get; init; }

    [JsonPropertyName("max_queued_requests")]
    public int? MaxQueuedRequests { get; init; }

    [JsonPropertyName("ready")]
    public bool? Ready { get; init; }

    [JsonPropertyName("execution_provider")]
    public string? ExecutionProvider { get; init; }

    [JsonPropertyName("warm_up_ms")]
    public double? WarmUpMilliseconds { get; init; }
}

public sealed record V2TensorMetadata(string Name, string Datatype, IReadOnlyList<long> Shape)
{
    public static V2TensorMetadata From(TensorSpec spec) =>
        new(spec.Name, TensorTypes.V2Name(TensorTypes.FromOnnxName(spec.ElementType)), spec.Shape);
}

/// <summary>
/// The V2 infer response, written with snake_case names as the protocol defines; outputs asked for as binary carry
/// <c>parameters.binary_data_size</c> instead of <c>data</c>, their bytes following the JSON.
/// </summary>
public sealed class V2InferenceResult(string model, int version, string id, IReadOnlyList<TensorData> outputs, IReadOnlySet<string>? binaryOutputs = null) : IInferResponse
{
    public IReadOnlyList<TensorData> Outputs { get; } = outputs;

    public void WriteTo(Utf8JsonWriter writer) => Write(writer, binary: null);

    public (byte[] Json, IReadOnlyList<byte[]> Binary)? BinaryParts()
    {
        if (binaryOutputs is not { Count: > 0 })
        {
            return null;
        }

        var binary = Outputs.Where(o => binaryOutputs.Contains(o.Name)).ToDictionary(o => o.Name, V2Binary.Write);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, binary);
        }

        return (buffer.ToArray(), Outputs.Where(o => binary.ContainsKey(o.Name)).Select(o => binary[o.Name]).ToArray());
    }

    private void Write(Utf8JsonWriter writer, Dictionary<string, byte[]>? binary)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name", model);
        writer.WriteString("model_version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("id", id);
        writer.WriteStartArray("outputs");
        foreach (var output in Outputs)
        {
            if (binary is not null && binary.TryGetValue(output.Name, out var bytes))
            {
                V2Tensors.WriteBinaryTensor(writer, output, bytes.Length);
            }
            else
            {
                V2Tensors.WriteTensor(writer, output);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

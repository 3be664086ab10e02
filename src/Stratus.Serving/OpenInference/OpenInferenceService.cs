using System.Text.Json;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Problems;
using Stratus.Serving.Onnx;
using Stratus.Serving.Registry;

namespace Stratus.Serving.OpenInference;

/// <summary>
/// The Open Inference Protocol (KServe V2) over the same registry and session cache as predict.
/// Without a version in the path, a model is served at its champion alias, or its latest version when it
/// has no champion (stock V2 clients know nothing of aliases).
/// </summary>
public sealed class OpenInferenceService(
    IModelRegistry registry,
    ModelCatalog catalog,
    ModelLoader loader,
    ServedVersionSelector versions,
    IEnumerable<IPredictionObserver> observers,
    ServingTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    GpuTier.IGpuTierClient gpuTier)
{
    public const string Platform = "onnxruntime_onnx";

    private readonly IPredictionObserver[] _observers = observers.ToArray();

    public async Task<V2ModelMetadata> GetMetadataAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var card = await catalog.GetCardAsync(name, cancellationToken);
        var registered = await registry.ListVersionsAsync(name, cancellationToken);
        var selected = await versions.SelectAsync(card, version, cancellationToken);
        var record = registered.FirstOrDefault(v => v.Version == selected)
            ?? throw ProblemException.NotFound("Version not found", $"Model '{name}' has no version {selected}.");
        return new V2ModelMetadata(
            name,
            registered.Select(v => v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            Platform,
            record.Signature.Inputs.Select(V2TensorMetadata.From).ToArray(),
            record.Signature.Outputs.Select(V2TensorMetadata.From).ToArray(),
            new Dictionary<string, object>
            {
                ["version"] = selected,
                ["tier"] = card.Tier.ToString().ToLowerInvariant(),
                ["batch_dimension_fixed"] = record.Signature.Inputs.Any(i => i.Shape.Count > 0 && i.Shape[0] > 0),
            });
    }

    /// <summary>Loads (and so warms) the model, or asks the GPU tier for its models; ready means a call can run now.</summary>
    public async Task<bool> IsReadyAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var card = await catalog.GetCardAsync(name, cancellationToken);
        var selected = await versions.SelectAsync(card, version, cancellationToken);
        if (card.Tier == ServingTier.Gpu)
        {
            if (gpuTier.IsConfigured && await gpuTier.IsModelReadyAsync(name, selected, cancellationToken))
            {
                return true;
            }

            if (!card.CpuFallback)
            {
                return false;
            }
        }

        using var lease = await loader.AcquireAsync(name, selected, cancellationToken);
        return true;
    }

    /// <param name="inferenceHeaderLength">The binary tensor extension's JSON length header, when the body uses it.</param>
    public async Task<IInferResponse> InferAsync(string name, string? version, Stream body, long? contentLength, string requestId, CancellationToken cancellationToken, string? inferenceHeaderLength = null)
    {
        var started = clock.GetTimestamp();
        var card = await catalog.GetCardAsync(name, cancellationToken);
        var selected = await versions.SelectAsync(card, version, cancellationToken);
        var maxBytes = options.Value.Serving.MaxRequestBytes;
        var isBinary = !string.IsNullOrEmpty(inferenceHeaderLength);
        JsonDocument request;
        ReadOnlyMemory<byte> binary = default;

        // gpu-tier models go to the tier with the body as received (the tier validates it: no parse and re-encode of
        // image-sized JSON here); with cpuFallback they are served here when the tier is absent or down.
        if (card.Tier == ServingTier.Gpu)
        {
            var bytes = await JsonBody.ReadBytesAsync(body, contentLength, maxBytes, cancellationToken);
            if (gpuTier.IsConfigured)
            {
                try
                {
                    var answer = await gpuTier.InferAsync(name, selected, bytes, requestId, cancellationToken, inferenceHeaderLength);
                    telemetry.RecordPrediction(name, selected, "v2-gpu", 0, clock.GetElapsedTime(started));
                    return new TierInferResponse(answer.Body, answer.JsonLength);
                }
                catch (ProblemException e) when (e.Status == 503 && card.CpuFallback)
                {
                    // fall through to in-process serving
                }
            }

            PredictionService.EnsureServedInProcess(card);
            (request, binary) = ParseBody(bytes, inferenceHeaderLength);
        }
        else if (isBinary)
        {
            (request, binary) = ParseBody(await JsonBody.ReadBytesAsync(body, contentLength, maxBytes, cancellationToken), inferenceHeaderLength);
        }
        else
        {
            request = await JsonBody.ParseAsync(body, contentLength, maxBytes, cancellationToken);
        }

        using var parsedBody = request;

        using var lease = await loader.AcquireAsync(name, selected, cancellationToken);
        var model = lease.Model;
        var parsed = V2RequestParser.Parse(request.RootElement, model, binary: binary);
        var outputs = model.Run(parsed.Inputs, parsed.RequestedOutputs);

        var rows = parsed.Inputs.Count > 0 && parsed.Inputs[0].Shape.Length > 0 ? (int)parsed.Inputs[0].Shape[0] : 1;
        telemetry.RecordPrediction(name, selected, "v2", rows, clock.GetElapsedTime(started));
        var observed = new PredictionEvent(name, selected, requestId, rows, parsed.Inputs, outputs);
        foreach (var observer in _observers)
        {
            observer.OnPredicted(observed);
        }

        return new V2InferenceResult(name, selected, parsed.Id ?? requestId, outputs, parsed.BinaryOutputs);
    }

    private static (JsonDocument Json, ReadOnlyMemory<byte> Binary) ParseBody(byte[] bytes, string? inferenceHeaderLength)
    {
        var (json, binary) = V2Binary.Split(bytes, inferenceHeaderLength);
        return (JsonBody.Parse(json), binary);
    }
}

public sealed record V2ModelMetadata(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<V2TensorMetadata> Inputs,
    IReadOnlyList<V2TensorMetadata> Outputs,
    IReadOnlyDictionary<string, object> Parameters);

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

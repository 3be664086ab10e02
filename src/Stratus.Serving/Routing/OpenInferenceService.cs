using System.Text.Json;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.GpuTier.Client;
using Stratus.Registry;
using Stratus.Serving.Observation;
using Stratus.Serving.Onnx;
using Stratus.Serving.OpenInference;

namespace Stratus.Serving.Routing;

/// <summary>
/// The Open Inference Protocol (KServe V2) over the same registry, version selector and session cache as predict.
/// Without a version in the path, a model is served at its champion alias (the one rule of <see cref="IVersionSelector"/>).
/// </summary>
public sealed class OpenInferenceService(
    IModelRegistry registry,
    ModelCatalog catalog,
    IVersionSelector selector,
    ModelLoader loader,
    PredictionObservations observations,
    ServingTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    IGpuTierClient gpuTier)
{
    public const string Protocol = "v2";

    /// <summary>The card and the version a V2 path names (its version segment, else the selector's choice).</summary>
    public async Task<(ModelCard Card, int Version)> ResolveAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var (card, choice) = await ChooseAsync(name, ServingTarget.Parse(version, alias: null), cancellationToken);
        return (card, choice.Version);
    }

    private async Task<(ModelCard Card, VersionChoice Choice)> ChooseAsync(string name, ServingTarget target, CancellationToken cancellationToken)
    {
        var card = await catalog.GetCardAsync(name, cancellationToken);
        return (card, await selector.SelectAsync(card, target, cancellationToken));
    }

    public async Task<V2ModelMetadata> GetMetadataAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var (card, selected) = await ResolveAsync(name, version, cancellationToken);
        return V2ModelMetadata.From(card, selected, await registry.ListVersionsAsync(name, cancellationToken));
    }

    /// <summary>Loads (and so warms) the model, or asks the GPU tier for its models; ready means a call can run now.</summary>
    public async Task<bool> IsReadyAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var (card, selected) = await ResolveAsync(name, version, cancellationToken);
        if (card.Tier == ServingTier.Gpu)
        {
            if (await gpuTier.IsModelReadyAsync(name, selected, cancellationToken))
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

    /// <param name="unit">Who is asking, for a running experiment's assignment (the <c>x-stratus-unit</c> header).</param>
    /// <param name="inferenceHeaderLength">The binary tensor extension's JSON length header, when the body uses it.</param>
    public async Task<ServedInference> InferAsync(string name, string? version, string? unit, Stream body, long? contentLength, string requestId, string? inferenceHeaderLength, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var (card, choice) = await ChooseAsync(name, ServingTarget.Parse(version, alias: null, unit), cancellationToken);
        try
        {
            return await InferAsync(card, choice, started, body, contentLength, requestId, inferenceHeaderLength, cancellationToken);
        }
        catch (Exception e) when (choice.Assignment is not null && e is not OperationCanceledException)
        {
            observations.PublishFailure(name, choice, requestId, Protocol, clock.GetElapsedTime(started), e);
            throw;
        }
    }

    private async Task<ServedInference> InferAsync(ModelCard card, VersionChoice choice, long started, Stream body, long? contentLength, string requestId, string? inferenceHeaderLength, CancellationToken cancellationToken)
    {
        var name = card.Name;
        var selected = choice.Version;
        var variant = choice.Assignment?.Variant;
        var maxBytes = options.Value.Serving.MaxRequestBytes;
        var isBinary = !string.IsNullOrEmpty(inferenceHeaderLength);
        JsonDocument request;
        ReadOnlyMemory<byte> binary = default;

        // gpu-tier models go to the tier with the body as received (the tier validates it: no parse and re-encode of
        // image-sized JSON here); with cpuFallback they are served here when the tier is unavailable.
        if (card.Tier == ServingTier.Gpu)
        {
            var bytes = await JsonBody.ReadBytesAsync(body, contentLength, maxBytes, cancellationToken);
            var result = await gpuTier.InferAsync(name, selected, bytes, requestId, inferenceHeaderLength, cancellationToken);
            if (TierRouting.ServedOrFallBack(card, result) is { } served)
            {
                var tierElapsed = clock.GetElapsedTime(started);
                telemetry.RecordPrediction(name, selected, Protocol + "-gpu", 0, tierElapsed);
                ObservePassedThrough(name, choice, requestId, bytes, inferenceHeaderLength, served, tierElapsed);
                return new ServedInference(new TierInferResponse(served.Body, served.JsonLength), variant);
            }

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

        var rows = V2Tensors.Rows(parsed.Inputs);
        var elapsed = clock.GetElapsedTime(started);
        telemetry.RecordPrediction(name, selected, Protocol, rows, elapsed);
        if (observations.Wants(choice.Assignment))
        {
            var at = clock.GetUtcNow();
            observations.Publish(() => new ServedPrediction(name, selected, requestId, Protocol, ServingTier.Cpu, rows, parsed.Inputs, outputs, at, choice.Assignment, elapsed));
        }

        return new ServedInference(new V2InferenceResult(name, selected, parsed.Id ?? requestId, outputs, parsed.BinaryOutputs), variant);
    }

    /// <summary>A body passed to the tier unparsed is decoded for observers on the background reader, never on the request path.</summary>
    private void ObservePassedThrough(string name, VersionChoice choice, string requestId, byte[] request, string? inferenceHeaderLength, TierResult.Served served, TimeSpan elapsed)
    {
        if (!observations.Wants(choice.Assignment))
        {
            return;
        }

        var at = clock.GetUtcNow();
        observations.Publish(() =>
        {
            var (json, binary) = V2Binary.Split(request, inferenceHeaderLength);
            var inputs = V2Tensors.Read(json, binary, V2Tensors.Inputs);
            var outputs = V2Tensors.Read(served.Body, served.JsonLength, V2Tensors.Outputs);
            return new ServedPrediction(name, choice.Version, requestId, Protocol, ServingTier.Gpu, V2Tensors.Rows(inputs), inputs, outputs, at, choice.Assignment, elapsed);
        });
    }

    private static (JsonDocument Json, ReadOnlyMemory<byte> Binary) ParseBody(byte[] bytes, string? inferenceHeaderLength)
    {
        var (json, binary) = V2Binary.Split(bytes, inferenceHeaderLength);
        return (JsonBody.Parse(json), binary);
    }
}

/// <summary>A V2 answer and the experiment variant that served it (null when no experiment routed the call).</summary>
public sealed record ServedInference(IInferResponse Response, string? Variant);

using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Problems;
using Stratus.Serving.Batching;
using Stratus.Serving.OpenInference;
using Stratus.Serving.Registry;

namespace Stratus.Serving.Tier;

/// <summary>
/// The GPU tier's models: each (model, version) is loaded once, run on zeros before it counts as ready, and
/// served through its own <see cref="DynamicBatcher"/>. The tier is ready once the preload set is warm; when
/// shutdown begins it stops being ready, refuses new work with 503 and drains what is queued.
/// </summary>
public sealed class TierModelHost(
    IModelRegistry registry,
    ModelCatalog catalog,
    ServedVersionSelector versions,
    ModelLoader loader,
    OpenInferenceService metadata,
    ServingTelemetry telemetry,
    IOptions<StratusOptions> options,
    TimeProvider clock,
    ILoggerFactory loggers) : IAsyncDisposable
{
    private static readonly TimeSpan DrainingRetryAfter = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<(string Model, int Version), Lazy<Task<ServedModel>>> _models = new();
    private readonly ILogger _logger = loggers.CreateLogger<TierModelHost>();
    private int _state; // Starting, Ready, Draining

    private const int Starting = 0;
    private const int Ready = 1;
    private const int Draining = 2;

    /// <summary>True once the preload set is warm, and until shutdown begins.</summary>
    public bool IsReady => Volatile.Read(ref _state) == Ready;

    /// <summary>Loads and warms the preload set (configured names, or every <c>tier: gpu</c> model), then reports ready.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var names = options.Value.Tier.Preload.Count > 0 ? options.Value.Tier.Preload : await GpuModelsAsync(cancellationToken);
        foreach (var name in names)
        {
            try
            {
                var card = await catalog.GetCardAsync(name, cancellationToken);
                await GetAsync(name, await versions.SelectAsync(card, null, cancellationToken), cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // One broken model must not keep the others off the air: it stays not-ready and is retried on use.
                _logger.LogError(e, "Could not preload model {Model}", name);
            }
        }

        Interlocked.CompareExchange(ref _state, Ready, Starting);
        _logger.LogInformation("GPU tier ready with {Count} warm models", _models.Values.Count(m => m.IsValueCreated && m.Value.IsCompletedSuccessfully));
    }

    /// <summary>Shutdown has begun: no longer ready, and new requests are refused so callers go elsewhere.</summary>
    public void BeginDrain()
    {
        Volatile.Write(ref _state, Draining);
        _logger.LogInformation("GPU tier draining: refusing new requests, finishing queued ones");
    }

    public async Task<bool> IsModelReadyAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var card = await catalog.GetCardAsync(name, cancellationToken);
        var selected = await versions.SelectAsync(card, version, cancellationToken);
        return IsReady && _models.TryGetValue((name, selected), out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully;
    }

    /// <summary>The registry's metadata plus how this tier serves the model (batching, provider, readiness).</summary>
    public async Task<V2ModelMetadata> GetMetadataAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var described = await metadata.GetMetadataAsync(name, version, cancellationToken);
        var selected = (int)described.Parameters["version"];
        var batching = options.Value.Tier.BatchingFor(name);
        var parameters = new Dictionary<string, object>(described.Parameters)
        {
            ["dynamic_batching"] = batching.Enabled && !(bool)described.Parameters["batch_dimension_fixed"],
            ["max_batch_size"] = batching.MaxBatchSize,
            ["max_queue_delay_us"] = batching.MaxQueueDelayMicroseconds,
            ["max_queued_requests"] = batching.MaxQueuedRequests,
        };
        if (_models.TryGetValue((name, selected), out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
        {
            var served = entry.Value.Result;
            parameters["ready"] = IsReady;
            parameters["execution_provider"] = served.Model.ExecutionProvider;
            parameters["warm_up_ms"] = Math.Round(served.WarmUp.TotalMilliseconds, 1);
        }
        else
        {
            parameters["ready"] = false;
        }

        return described with { Parameters = parameters };
    }

    public async Task<V2InferenceResult> InferAsync(string name, string? version, JsonElement request, string requestId, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        if (Volatile.Read(ref _state) == Draining)
        {
            throw ProblemException.ServiceUnavailable("Draining", "This GPU tier replica is shutting down; retry on another.", DrainingRetryAfter);
        }

        var card = await catalog.GetCardAsync(name, cancellationToken);
        var selected = await versions.SelectAsync(card, version, cancellationToken);
        var served = await GetAsync(name, selected, cancellationToken);
        var parsed = V2RequestParser.Parse(request, served.Model, anyBatch: true);
        var outputs = await served.Batcher.InferAsync(parsed.Inputs, cancellationToken);
        if (parsed.RequestedOutputs is { } requested)
        {
            outputs = requested.Select(n => outputs.First(o => o.Name == n)).ToArray();
        }

        var rows = parsed.Inputs.Count > 0 && parsed.Inputs[0].Shape.Length > 0 ? (int)parsed.Inputs[0].Shape[0] : 1;
        telemetry.RecordPrediction(name, selected, "v2-tier", rows, clock.GetElapsedTime(started));
        return new V2InferenceResult(name, selected, parsed.Id ?? requestId, outputs);
    }

    private async Task<ServedModel> GetAsync(string name, int version, CancellationToken cancellationToken)
    {
        var key = (name, version);
        var lazy = _models.GetOrAdd(key, k => new Lazy<Task<ServedModel>>(() => LoadAndWarmAsync(k.Model, k.Version)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _models.TryRemove(new KeyValuePair<(string, int), Lazy<Task<ServedModel>>>(key, lazy)); // the next call tries again
            throw;
        }
    }

    private async Task<ServedModel> LoadAndWarmAsync(string name, int version)
    {
        var model = await loader.LoadAsync(name, version, CancellationToken.None);
        var batching = options.Value.Tier.BatchingFor(name);
        var started = clock.GetTimestamp();
        try
        {
            // Once at batch 1, and once at the largest batch so the provider allocates (and tunes) for it up front.
            model.Run(WarmUpInputs.Create(model, 1));
            if (batching.Enabled && !model.BatchDimensionFixed && batching.MaxBatchSize > 1)
            {
                model.Run(WarmUpInputs.Create(model, batching.MaxBatchSize));
            }
        }
        catch (Exception e)
        {
            model.Dispose();
            _logger.LogError(e, "Warm-up of model {Model} version {Version} failed", name, version);
            throw new ProblemException(500, "Model failed to warm up", $"Model '{name}' version {version} loaded but failed its warm-up run: {e.Message}");
        }

        var warmUp = clock.GetElapsedTime(started);
        var batcher = new DynamicBatcher(
            inputs =>
            {
                telemetry.RecordBatch(name, inputs.Count > 0 && inputs[0].Shape.Length > 0 ? (int)inputs[0].Shape[0] : 1);
                return model.Run(inputs);
            },
            model.BatchDimensionFixed,
            batching,
            loggers.CreateLogger<DynamicBatcher>());
        _logger.LogInformation(
            "Model {Model} version {Version} warm on {ExecutionProvider} in {WarmUpMs} ms (max batch {MaxBatchSize}, delay {MaxQueueDelayUs} µs, fixed batch {FixedBatch})",
            name, version, model.ExecutionProvider, warmUp.TotalMilliseconds, batching.MaxBatchSize, batching.MaxQueueDelayMicroseconds, model.BatchDimensionFixed);
        return new ServedModel(model, batcher, batching, warmUp);
    }

    private async Task<List<string>> GpuModelsAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var card in registry.ListCardsAsync(cancellationToken))
        {
            if (card.Tier == ServingTier.Gpu)
            {
                names.Add(card.Name);
            }
        }

        return names;
    }

    public async ValueTask DisposeAsync()
    {
        BeginDrain();
        foreach (var entry in _models.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            {
                await entry.Value.Result.DisposeAsync();
            }
        }

        _models.Clear();
    }
}
